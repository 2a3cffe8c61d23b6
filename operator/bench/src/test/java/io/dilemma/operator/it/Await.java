package io.dilemma.operator.it;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls until a condition holds; the failure message says what was awaited and what was seen. */
final class Await {
  private Await() {}

  static <T> T until(String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.get();
        if (last != null && done.test(last)) return last;
      } catch (RuntimeException e) {
        // The object may not exist yet; keep polling.
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + describe(last));
  }

  /** Custom resources print their whole metadata; the status is what tells why a wait failed. */
  private static String describe(Object last) {
    if (last instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> resource) {
      return resource.getMetadata().getName() + " status " + resource.getStatus();
    }
    String text = String.valueOf(last);
    return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
  }
}
