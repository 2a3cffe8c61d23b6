package io.dilemma.worker.model.sampling;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits: the arg-max when temperature is 0, otherwise a draw from
 * softmax(logits / temperature) with a seeded generator, so a seed reproduces a completion.
 */
public final class TokenSampler {
  private final double temperature;
  private final SplittableRandom random;

  public TokenSampler(double temperature, long seed) {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a finite number ≥ 0, got " + temperature);
    }
    this.temperature = temperature;
    this.random = new SplittableRandom(seed);
  }

  public static TokenSampler greedy() {
    return new TokenSampler(0, 0);
  }

  public int sample(float[] logits) {
    if (temperature == 0) {
      return argMax(logits);
    }
    double max = logits[argMax(logits)];
    double[] weights = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      weights[i] = Math.exp((logits[i] - max) / temperature);
      sum += weights[i];
    }
    double target = random.nextDouble() * sum;
    double cumulative = 0;
    for (int i = 0; i < weights.length; i++) {
      cumulative += weights[i];
      if (target < cumulative) {
        return i;
      }
    }
    return argMax(logits);
  }

  /** Index of the largest logit; the lowest index wins ties, so greedy decoding is deterministic. */
  public static int argMax(float[] logits) {
    return argMax(logits, 0, logits.length);
  }

  /** {@link #argMax(float[])} of {@code length} logits from {@code from}: one row of a {@code [rows × vocab]} array. */
  public static int argMax(float[] logits, int from, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (logits[from + i] > logits[from + best]) {
        best = i;
      }
    }
    return best;
  }
}
