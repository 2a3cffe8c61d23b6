package io.dilemma.worker.model.bench;

import io.dilemma.worker.model.runtime.Decoder;
import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.sampling.TokenSampler;

/** Decode tokens/s of a decoder after a warm-up generation. */
public final class DecodeSpeed {
  private DecodeSpeed() {}

  /** Fresh decoders come from {@code decoders}; the best of {@code rounds} runs counts (least disturbed). */
  public static double measure(java.util.function.Supplier<Decoder> decoders, long[] prompt, int tokens, int rounds) {
    try (Decoder warmUp = decoders.get()) {
      Generation.generate(warmUp, prompt, Math.min(8, tokens), TokenSampler.greedy());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    double best = 0;
    for (int round = 0; round < rounds; round++) {
      try (Decoder decoder = decoders.get()) {
        best = Math.max(best, Generation.generate(decoder, prompt, tokens, TokenSampler.greedy()).decodeTokensPerSecond());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return best;
  }
}
