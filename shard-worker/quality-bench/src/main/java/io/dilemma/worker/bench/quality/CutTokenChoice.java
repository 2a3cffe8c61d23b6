package io.dilemma.worker.bench.quality;

import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import java.util.SplittableRandom;

/**
 * Which tokens of a chunk keep 8 bits at a cut, the rest going at 4. {@link #ATTENTION} is what
 * the serving runtime does; the others are the controls it must beat to be worth its bookkeeping.
 */
public enum CutTokenChoice {
  /** The tokens that received the most attention in the layer before the cut. */
  ATTENTION,
  /**
   * The same ranking after dividing by the queries that could attend to each token: in a causal
   * chunk of n tokens, token t is seen by n − t queries, so the plain sum favours early tokens for
   * being early.
   */
  ATTENTION_PER_QUERY,
  /** Tokens drawn uniformly without replacement (seeded). */
  RANDOM,
  /** The first tokens of the chunk. */
  FIRST;

  /** Marks {@code count} of {@code received.length} tokens for 8 bits. */
  public boolean[] choose(float[] received, int count, SplittableRandom random) {
    int tokens = received.length;
    return switch (this) {
      case ATTENTION -> TokenAdaptiveQuantizer.topTokens(received, count);
      case ATTENTION_PER_QUERY -> {
        float[] perQuery = new float[tokens];
        for (int t = 0; t < tokens; t++) {
          perQuery[t] = received[t] / (tokens - t);
        }
        yield TokenAdaptiveQuantizer.topTokens(perQuery, count);
      }
      case FIRST -> {
        boolean[] high = new boolean[tokens];
        for (int t = 0; t < count; t++) {
          high[t] = true;
        }
        yield high;
      }
      case RANDOM -> {
        // Partial Fisher–Yates: the first count entries of a shuffled index are the sample.
        int[] order = new int[tokens];
        for (int t = 0; t < tokens; t++) {
          order[t] = t;
        }
        boolean[] high = new boolean[tokens];
        for (int t = 0; t < count; t++) {
          int pick = t + random.nextInt(tokens - t);
          int swap = order[t];
          order[t] = order[pick];
          order[pick] = swap;
          high[order[t]] = true;
        }
        yield high;
      }
    };
  }

  /** What the next shard sees: {@code hidden} quantized per token with {@code high} at 8 bits, the rest at 4. */
  public static float[] roundTrip(float[] hidden, int width, boolean[] high) {
    int hi = TokenAdaptiveQuantizer.HIGH_BITS;
    int lo = TokenAdaptiveQuantizer.LOW_BITS;
    float[] scales = new float[high.length];
    byte[] payload = new byte[TokenAdaptiveQuantizer.payloadBytes(high, width, hi, lo)];
    TokenAdaptiveQuantizer.quantizeInto(hidden, width, high, hi, lo, scales, payload, 0);
    float[] restored = new float[hidden.length];
    TokenAdaptiveQuantizer.dequantizeInto(payload, 0, scales, high, width, hi, lo, restored);
    return restored;
  }
}
