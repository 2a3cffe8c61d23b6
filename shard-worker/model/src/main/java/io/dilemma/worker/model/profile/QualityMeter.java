package io.dilemma.worker.model.profile;

import io.dilemma.worker.model.sampling.TokenSampler;

/**
 * Compares next-token distributions of a quantized model with the teacher's over a scored text:
 * logits are {@code [positions × vocab]}, position t predicting token t+1.
 */
public final class QualityMeter {
  private QualityMeter() {}

  /** Log-softmax of every row. */
  public static float[] logProbabilities(float[] logits, int vocab) {
    float[] out = new float[logits.length];
    for (int row = 0; row * vocab < logits.length; row++) {
      int from = row * vocab;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < vocab; i++) {
        max = Math.max(max, logits[from + i]);
      }
      double sum = 0;
      for (int i = 0; i < vocab; i++) {
        sum += Math.exp(logits[from + i] - max);
      }
      double logSum = max + Math.log(sum);
      for (int i = 0; i < vocab; i++) {
        out[from + i] = (float) (logits[from + i] - logSum);
      }
    }
    return out;
  }

  /** Mean over positions of KL(teacher ‖ student), in nats. */
  static double meanKl(float[] teacherLogProbs, float[] studentLogProbs, int vocab) {
    int positions = teacherLogProbs.length / vocab;
    double total = 0;
    for (int row = 0; row < positions; row++) {
      total += klDivergence(teacherLogProbs, studentLogProbs, row * vocab, vocab);
    }
    return total / positions;
  }

  /**
   * KL(teacher ‖ student) of one position, the {@code vocab} log-probabilities from {@code from};
   * float rounding can make a near-zero KL slightly negative, so it is clamped at 0.
   */
  public static double klDivergence(float[] teacherLogProbs, float[] studentLogProbs, int from, int vocab) {
    double kl = 0;
    for (int i = 0; i < vocab; i++) {
      double lp = teacherLogProbs[from + i];
      kl += Math.exp(lp) * (lp - studentLogProbs[from + i]);
    }
    return Math.max(0, kl);
  }

  /** Perplexity of {@code tokens[1..]} given the log-probabilities at positions {@code 0..n-2}. */
  static double perplexity(float[] logProbs, int vocab, long[] tokens) {
    double nll = 0;
    for (int t = 0; t + 1 < tokens.length; t++) {
      nll -= logProbs[t * vocab + (int) tokens[t + 1]];
    }
    return Math.exp(nll / (tokens.length - 1));
  }

  /** Share of positions where both models rank the same token first. */
  static double topOneAgreement(float[] teacherLogits, float[] studentLogits, int vocab) {
    int positions = teacherLogits.length / vocab;
    int agree = 0;
    for (int row = 0; row < positions; row++) {
      if (TokenSampler.argMax(teacherLogits, row * vocab, vocab) == TokenSampler.argMax(studentLogits, row * vocab, vocab)) {
        agree++;
      }
    }
    return (double) agree / positions;
  }
}
