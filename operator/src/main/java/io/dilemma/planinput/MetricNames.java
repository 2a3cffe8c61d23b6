package io.dilemma.planinput;

import io.dilemma.contract.QualityMetric;

/** The spelling of each quality metric in files and on the command line (the JSON names). */
public final class MetricNames {
  private MetricNames() {}

  public static String of(QualityMetric metric) {
    return switch (metric) {
      case NORMALIZED_ERROR -> "normalizedError";
      case KL_DIVERGENCE -> "klDivergence";
      case DELTA_PERPLEXITY -> "deltaPerplexity";
    };
  }

  /** The metric named {@code name}, or IllegalArgumentException listing the valid names. */
  public static QualityMetric parse(String name) {
    for (QualityMetric m : QualityMetric.values()) {
      if (of(m).equals(name)) return m;
    }
    throw new IllegalArgumentException(
        "unknown quality metric '" + name + "', expected normalizedError, klDivergence or deltaPerplexity");
  }
}
