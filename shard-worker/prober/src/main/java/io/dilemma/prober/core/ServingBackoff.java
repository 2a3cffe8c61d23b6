package io.dilemma.prober.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Holds probing back while the node's shards are serving, so a bulk transfer never competes with
 * a generation for the link or the CPU. Each round found busy doubles the wait, up to {@code max};
 * once the shards are idle, probing resumes at the next round.
 *
 * <p>Probing never stops for good: after {@code max} it probes once anyway, or a node that serves
 * all day would keep its link figures until they go stale.
 */
public final class ServingBackoff {
  private final Duration initial;
  private final Duration max;
  private Duration current;
  private Instant holdUntil = Instant.MIN;
  private Instant busySince;

  public ServingBackoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("back-off needs 0 < initial <= max, was " + initial + ", " + max);
    }
    this.initial = initial;
    this.max = max;
    this.current = initial;
  }

  /** Whether a probe may run now, given whether the shards are serving at this moment. */
  public boolean mayProbe(boolean serving, Instant now) {
    if (!serving) {
      current = initial;
      holdUntil = Instant.MIN;
      busySince = null;
      return true;
    }
    if (busySince == null) busySince = now;
    if (!busySince.plus(max).isAfter(now)) {
      // serving for longer than the longest back-off: take one sample, then back off afresh
      busySince = now;
      current = initial;
      holdUntil = now.plus(current);
      return true;
    }
    if (now.isBefore(holdUntil)) return false;
    holdUntil = now.plus(current);
    Duration doubled = current.multipliedBy(2);
    current = doubled.compareTo(max) > 0 ? max : doubled;
    return false;
  }
}
