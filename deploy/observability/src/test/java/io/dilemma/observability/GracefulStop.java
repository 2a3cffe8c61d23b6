package io.dilemma.observability;

import java.util.concurrent.TimeUnit;

/** SIGTERM, ten seconds to exit, then SIGKILL: no process of the test outlives it. */
final class GracefulStop {
  private GracefulStop() {}

  static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
