package io.dilemma.prober.core;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * An exponentially weighted moving average of one measured figure, with the raw minimum and
 * maximum over the last {@code window} samples. The EWMA is what the planner gets; min and max
 * show how much a link swings, which an average hides.
 */
public final class SmoothedFigure {
  private final double alpha;
  private final int window;
  private final ArrayDeque<Double> recent = new ArrayDeque<>();
  private double value = Double.NaN;
  private long samples;
  private Instant observedAt;

  /**
   * @param alpha weight of the newest sample, in (0, 1]; 1 means no smoothing
   * @param window how many raw samples min and max look back over
   */
  public SmoothedFigure(double alpha, int window) {
    if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
    if (window < 1) throw new IllegalArgumentException("window must be at least 1, was " + window);
    this.alpha = alpha;
    this.window = window;
  }

  /** Adds one raw sample; non-finite or negative samples are measurement failures and ignored. */
  public void add(double sample, Instant at) {
    if (!Double.isFinite(sample) || sample < 0) return;
    value = samples == 0 ? sample : alpha * sample + (1 - alpha) * value;
    recent.addLast(sample);
    if (recent.size() > window) recent.removeFirst();
    samples++;
    observedAt = at;
  }

  public Optional<Estimate> estimate() {
    if (samples == 0) return Optional.empty();
    double min = recent.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = recent.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return Optional.of(new Estimate(value, min, max, samples, observedAt));
  }
}
