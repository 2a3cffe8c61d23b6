package io.dilemma.worker.serving.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The working memory of the steps a shard has accepted but not yet answered, bounded by the same
 * byte budget the planner reserved for the KV cache, and bounded in count. A step that does not
 * fit is refused at once (RESOURCE_EXHAUSTED) instead of queueing: a flood of steps must cost the
 * shard neither memory nor the latency of the sessions it already serves.
 */
final class InFlightWork {
  private final long budgetBytes;
  private final int maxSteps;
  // high 24 bits: steps, low 40 bits: bytes (a budget is at most 1 TiB), updated together
  private final AtomicLong state = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger peakSteps = new java.util.concurrent.atomic.AtomicInteger();
  private static final int BYTE_BITS = 40;
  private static final long BYTE_MASK = (1L << BYTE_BITS) - 1;

  InFlightWork(long budgetBytes, int maxSteps) {
    if (budgetBytes <= 0 || budgetBytes > BYTE_MASK || maxSteps <= 0 || maxSteps >= 1 << 23) {
      throw new IllegalArgumentException("in-flight bounds out of range: " + budgetBytes + " bytes, " + maxSteps + " steps");
    }
    this.budgetBytes = budgetBytes;
    this.maxSteps = maxSteps;
  }

  /** Reserves {@code bytes} for one step; false when the step would exceed either bound. */
  boolean tryReserve(long bytes) {
    if (bytes < 0 || bytes > budgetBytes) {
      return false;
    }
    while (true) {
      long current = state.get();
      long steps = current >>> BYTE_BITS;
      long held = current & BYTE_MASK;
      if (steps + 1 > maxSteps || held + bytes > budgetBytes) {
        return false;
      }
      if (state.compareAndSet(current, (steps + 1) << BYTE_BITS | (held + bytes))) {
        peakSteps.accumulateAndGet((int) steps + 1, Math::max);
        return true;
      }
    }
  }

  /** Returns what {@link #tryReserve} took, once the step has been answered. */
  void release(long bytes) {
    state.addAndGet(-((1L << BYTE_BITS) | bytes));
  }

  long bytes() {
    return state.get() & BYTE_MASK;
  }

  int steps() {
    return (int) (state.get() >>> BYTE_BITS);
  }

  /** The most steps ever in flight at once. */
  int peakSteps() {
    return peakSteps.get();
  }

  long budgetBytes() {
    return budgetBytes;
  }

  int maxSteps() {
    return maxSteps;
  }
}
