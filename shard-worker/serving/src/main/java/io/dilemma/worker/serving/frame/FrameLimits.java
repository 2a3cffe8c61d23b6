package io.dilemma.worker.serving.frame;

/**
 * What a receiving shard accepts, so that a hostile or corrupt frame cannot make it allocate
 * more than one legitimate chunk.
 *
 * @param width the hidden size of the model: every frame row must have exactly this width
 * @param maxTokens the most tokens one chunk may carry (the model's context length)
 */
public record FrameLimits(int width, int maxTokens) {
  public FrameLimits {
    if (width <= 0 || maxTokens <= 0) {
      throw new IllegalArgumentException("frame limits must be positive: " + width + ", " + maxTokens);
    }
  }
}
