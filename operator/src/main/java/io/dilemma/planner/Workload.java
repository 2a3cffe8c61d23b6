package io.dilemma.planner;

/**
 * @param promptTokens p, tokens in the prompt (prefill)
 * @param outputTokens n, tokens generated one at a time (decode)
 * @param concurrency b, sessions whose decode steps are batched through every shard: a step
 *     carries one token of each, and each session keeps its own KV cache
 */
public record Workload(int promptTokens, int outputTokens, int concurrency) {
  public Workload {
    if (promptTokens < 1) throw new IllegalArgumentException("promptTokens must be >= 1");
    if (outputTokens < 1) throw new IllegalArgumentException("outputTokens must be >= 1");
    if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
  }

  /** One session at a time. */
  public Workload(int promptTokens, int outputTokens) {
    this(promptTokens, outputTokens, 1);
  }
}
