package io.dilemma.localcluster;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition on a cluster that converges by itself: no event to wait on, so look again. */
public final class Poll {
  private Poll() {}

  /** A look that may throw: the API server restarting is a reason to look again, not to fail. */
  public interface Look<T> {
    /** The value once the condition holds, null while it does not. */
    T get() throws Exception;
  }

  /**
   * The first non-null value of {@code look}, polled every 500 ms.
   *
   * @param what what is awaited, for the timeout's message
   * @param state what the cluster looks like, appended to the timeout's message
   */
  public static <T> T until(Duration timeout, String what, Look<T> look, Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        T value = look.get();
        if (value != null) return value;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        String seen = state == null ? "" : "; last seen: " + state.get();
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
            + (last == null ? "" : " (last error: " + last.getMessage() + ")") + seen);
      }
      Thread.sleep(500);
    }
  }

  public static <T> T until(Duration timeout, String what, Look<T> look) throws InterruptedException {
    return until(timeout, what, look, null);
  }
}
