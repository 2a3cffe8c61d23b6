package io.dilemma.planner;

/**
 * @param promptTokens p, tokens in the prompt (prefill)
 * @param outputTokens n, tokens generated one at a time (decode)
 */
public record Workload(int promptTokens, int outputTokens) {
  public Workload {
    if (promptTokens < 1) throw new IllegalArgumentException("promptTokens must be >= 1");
    if (outputTokens < 1) throw new IllegalArgumentException("outputTokens must be >= 1");
  }
}
