package io.dilemma.prober.core;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * An exponentially weighted moving average of one measured figure, with the raw minimum and
 * maximum over the last {@code window} samples. The EWMA is what the planner gets; min and max
 * show how much a link swings, which an average hides.
 *
 * <p>A sample far outside the EWMA's band ({@link LevelShift}) is held as a suspect, not folded
 * in: a single spike then never moves the published figure. A second one on the same side in a
 * row confirms a new level, and the EWMA restarts from the two, so a link throttled tenfold is
 * published at its new rate on the second probe after the change.
 */
public final class SmoothedFigure {
  /** What one sample did to the figure. */
  public enum Fold {
    /** folded into the EWMA */
    FOLDED,
    /** far outside the band, held until the next sample says spike or new level */
    SUSPECT,
    /** the second sample outside the band on the same side: the EWMA restarted at the new level */
    RESTARTED,
    /** not a measurement (NaN, negative) */
    IGNORED
  }

  private final double alpha;
  private final int window;
  private final LevelShift shift;
  private final ArrayDeque<Double> recent = new ArrayDeque<>();
  private double value = Double.NaN;
  private long samples;
  private Instant observedAt;
  private Double suspect;

  /**
   * @param alpha weight of the newest sample, in (0, 1]; 1 means no smoothing
   * @param window how many raw samples min and max look back over
   * @param shift when a sample is a new level rather than noise
   */
  public SmoothedFigure(double alpha, int window, LevelShift shift) {
    if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
    if (window < 1) throw new IllegalArgumentException("window must be at least 1, was " + window);
    this.alpha = alpha;
    this.window = window;
    this.shift = shift;
  }

  /** Adds one raw sample; non-finite or negative samples are measurement failures and ignored. */
  public Fold add(double sample, Instant at) {
    if (!Double.isFinite(sample) || sample < 0) return Fold.IGNORED;
    samples++;
    if (samples == 1) {
      fold(sample, sample, at);
      return Fold.FOLDED;
    }
    int side = shift.side(value, sample);
    if (side == 0) {
      suspect = null;
      fold(alpha * sample + (1 - alpha) * value, sample, at);
      return Fold.FOLDED;
    }
    if (suspect == null || shift.side(value, suspect) != side) {
      suspect = sample;
      remember(sample);
      return Fold.SUSPECT;
    }
    double first = suspect;
    suspect = null;
    recent.clear();
    remember(first);
    fold(alpha * sample + (1 - alpha) * first, sample, at);
    return Fold.RESTARTED;
  }

  private void fold(double newValue, double sample, Instant at) {
    value = newValue;
    remember(sample);
    observedAt = at;
  }

  private void remember(double sample) {
    recent.addLast(sample);
    if (recent.size() > window) recent.removeFirst();
  }

  public Optional<Estimate> estimate() {
    if (samples == 0) return Optional.empty();
    double min = recent.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = recent.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return Optional.of(new Estimate(value, min, max, samples, observedAt));
  }
}
