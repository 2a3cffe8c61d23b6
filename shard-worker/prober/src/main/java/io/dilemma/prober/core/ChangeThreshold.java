package io.dilemma.prober.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a new estimate is worth a write. Writes that change nothing cost the API server
 * and wake the operator; but a measurement that is never rewritten goes stale in the operator
 * (its EdgeLink TTL), so an unchanged figure is still re-stamped every {@code refreshAfter}.
 *
 * @param relative smallest relative move that counts, e.g. 0.1 for 10%
 * @param absolute smallest absolute move that counts, in the figure's unit (guards tiny values,
 *     e.g. an RTT of 0.2 ms moving to 0.3 ms is noise, not a 50% change)
 * @param refreshAfter re-stamp an unchanged figure this long after the last write; keep it well
 *     below the operator's EdgeLink TTL
 */
public record ChangeThreshold(double relative, double absolute, Duration refreshAfter) {

  public boolean moved(double published, double current) {
    double delta = Math.abs(current - published);
    return delta > absolute && delta > relative * Math.abs(published);
  }

  /** Whether to write {@code current} given what was last written, and when. */
  public boolean shouldWrite(Double published, Instant writtenAt, double current, Instant now) {
    if (published == null || writtenAt == null) return true;
    if (moved(published, current)) return true;
    return !writtenAt.plus(refreshAfter).isAfter(now);
  }
}
