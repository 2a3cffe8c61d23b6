package io.dilemma.demo;

import java.util.List;

/**
 * The measured completion times of one plan, and their median and p90: the figures the demo, its
 * report and the closed-loop experiment set against the prediction.
 *
 * <p>A quantile q is read at rank q·(n−1) of the sorted times, interpolated linearly between the
 * two times around it (Hyndman and Fan's type 7, numpy's and spreadsheets' default): with 3
 * times, the median is the middle one and p90 lies 80 % of the way from the middle to the largest.
 * The README's measured medians and p90s are of this kind.
 */
public record CompletionTimes(List<Double> seconds) {
  public CompletionTimes {
    if (seconds.isEmpty()) throw new IllegalArgumentException("completion times: none measured, no quantile to take");
    seconds = seconds.stream().sorted().toList();
  }

  public double median() {
    return quantile(0.5);
  }

  public double p90() {
    return quantile(0.9);
  }

  /** @param q from 0 (the fastest) to 1 (the slowest) */
  public double quantile(double q) {
    if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile: " + q + " is not within 0 to 1");
    double rank = q * (seconds.size() - 1);
    int below = (int) Math.floor(rank);
    int above = Math.min(seconds.size() - 1, below + 1);
    return seconds.get(below) + (rank - below) * (seconds.get(above) - seconds.get(below));
  }
}
