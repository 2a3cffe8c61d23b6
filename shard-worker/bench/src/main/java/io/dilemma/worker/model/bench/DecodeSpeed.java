package io.dilemma.worker.model.bench;

import io.dilemma.worker.model.runtime.Decoder;
import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.sampling.TokenSampler;
import java.util.function.Supplier;

/**
 * Decode tokens/s of two decoders measured in alternating rounds, so a burst of load from other
 * processes hits both alike; the best round of each counts (the least disturbed one).
 */
public final class DecodeSpeed {
  private DecodeSpeed() {}

  public record Pair(double first, double second) {
    public double ratio() {
      return first / second;
    }
  }

  public static Pair compare(Supplier<Decoder> first, Supplier<Decoder> second, long[] prompt, int tokens, int rounds) {
    run(first, prompt, Math.min(8, tokens));
    run(second, prompt, Math.min(8, tokens));
    double bestFirst = 0;
    double bestSecond = 0;
    for (int round = 0; round < rounds; round++) {
      bestFirst = Math.max(bestFirst, run(first, prompt, tokens));
      bestSecond = Math.max(bestSecond, run(second, prompt, tokens));
    }
    return new Pair(bestFirst, bestSecond);
  }

  private static double run(Supplier<Decoder> decoders, long[] prompt, int tokens) {
    try (Decoder decoder = decoders.get()) {
      return Generation.generate(decoder, prompt, tokens, TokenSampler.greedy()).decodeTokensPerSecond();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
