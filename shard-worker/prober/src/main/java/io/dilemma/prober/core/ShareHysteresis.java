package io.dilemma.prober.core;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;

/**
 * Turns a noisy available-compute share into a published one that changes rarely. A new value is
 * published only when the measured share has stayed more than {@code band} away from the
 * published one for {@code hold} without interruption: a compile or a cron job of a few seconds
 * must not move layers, a hog that stays must. Published values are rounded to {@code step} so
 * small wobbles never reach the annotation.
 */
public final class ShareHysteresis {
  private final double band;
  private final Duration hold;
  private final double step;
  private Double published;
  private Instant awaySince;

  public ShareHysteresis(double band, Duration hold, double step) {
    if (!(band > 0 && band < 1)) throw new IllegalArgumentException("band must be in (0, 1), was " + band);
    if (!(step > 0 && step <= band)) throw new IllegalArgumentException("step must be in (0, band], was " + step);
    this.band = band;
    this.hold = hold;
    this.step = step;
  }

  /**
   * Feeds one measured share in [0, 1]; returns the share to publish when it changed, else empty.
   * The first measurement is published at once.
   */
  public OptionalDouble offer(double share, Instant now) {
    double clamped = Math.max(0, Math.min(1, share));
    if (published == null) {
      published = rounded(clamped);
      return OptionalDouble.of(published);
    }
    if (Math.abs(clamped - published) <= band) {
      awaySince = null;
      return OptionalDouble.empty();
    }
    if (awaySince == null) awaySince = now;
    if (now.isBefore(awaySince.plus(hold))) return OptionalDouble.empty();
    awaySince = null;
    double next = rounded(clamped);
    if (next == published) return OptionalDouble.empty();
    published = next;
    return OptionalDouble.of(next);
  }

  public OptionalDouble published() {
    return published == null ? OptionalDouble.empty() : OptionalDouble.of(published);
  }

  private double rounded(double share) {
    return Math.round(share / step) * step;
  }
}
