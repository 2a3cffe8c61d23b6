package io.dilemma.prober.measure;

/**
 * How many bytes a bulk transfer may have in flight: sent, but not yet acknowledged by the
 * receiver as read. Every buffer on the path (both sockets' kernel buffers, a router's queue, a
 * relay) holds only bytes in flight, so capping them at what the link drains in {@link
 * #drainNanos()} bounds how long a transfer runs on after its sender stops. Without the cap a
 * 10 Mbit/s link kept draining some 7 MB of socket buffers for 4 s past a 2 s bound.
 *
 * <p>The link's rate comes from the acknowledgements themselves, so the window starts small and
 * grows with what the link is seen to carry.
 */
final class SendWindow {
  /** The window before any acknowledgement: about 50 ms of a 10 Mbit/s link. */
  static final long INITIAL_BYTES = 64 * 1024;

  private final long drainNanos;
  private final long startNanos;
  private long acked;
  private long ackedAtNanos;

  /**
   * @param drainBudgetNanos how long the bytes in flight may take to drain once the sender stops
   * @param rttNanos the link's round trip; the window covers at least two of them, or the window
   *     rather than the link would limit the rate (and it could not grow from its start)
   * @param startNanos when the sender started, on {@link System#nanoTime()}'s clock
   */
  SendWindow(long drainBudgetNanos, long rttNanos, long startNanos) {
    this.drainNanos = Math.max(drainBudgetNanos, 2 * rttNanos);
    this.startNanos = startNanos;
  }

  /** How long the window takes to drain at the rate seen so far. */
  long drainNanos() {
    return drainNanos;
  }

  /** The receiver has read {@code total} bytes so far, as of {@code atNanos}. */
  void acknowledged(long total, long atNanos) {
    if (total > acked) {
      acked = total;
      ackedAtNanos = atNanos;
    }
  }

  long acked() {
    return acked;
  }

  /** Bytes that may be in flight now. */
  long bytes() {
    long elapsed = ackedAtNanos - startNanos;
    if (acked == 0 || elapsed <= 0) return INITIAL_BYTES;
    double bytesPerNano = (double) acked / elapsed;
    return Math.max(INITIAL_BYTES, Math.round(bytesPerNano * drainNanos));
  }
}
