package io.dilemma.worker.serving.pipeline;

/** How the last shard picks the next token: greedy at temperature 0, else seeded sampling. */
public record Sampling(float temperature, long seed) {
  public static Sampling greedy() {
    return new Sampling(0f, 0L);
  }
}
