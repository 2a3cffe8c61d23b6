package io.dilemma.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which measured loss a quality budget constrains. */
public enum QualityMetric {
  /** The DILEMMA paper's teacher–student proxy: relative weight (or activation) difference. */
  @JsonProperty("normalizedError")
  NORMALIZED_ERROR,
  /** KL divergence of the next-token distribution against the unquantized model, in nats. */
  @JsonProperty("klDivergence")
  KL_DIVERGENCE,
  /** Perplexity increase against the unquantized model. */
  @JsonProperty("deltaPerplexity")
  DELTA_PERPLEXITY
}
