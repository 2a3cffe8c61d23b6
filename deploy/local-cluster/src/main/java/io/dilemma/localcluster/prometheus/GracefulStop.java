package io.dilemma.localcluster.prometheus;

import java.util.concurrent.TimeUnit;

/** SIGTERM, ten seconds to exit, then SIGKILL: no process started here outlives its owner. */
public final class GracefulStop {
  private GracefulStop() {}

  public static void stop(Process process) {
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
