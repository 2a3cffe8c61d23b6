package io.dilemma.worker.model.runtime;

import io.dilemma.worker.model.sampling.TokenSampler;

/** Autoregressive generation with a KV cache: one prefill, then one token per step. */
public final class Generation {
  /**
   * @param tokens the generated tokens (without the prompt)
   * @param prefillNanos time of the prompt pass
   * @param decodeNanos time of all single-token steps
   */
  public record Result(long[] tokens, long prefillNanos, long decodeNanos) {
    /** Decode tokens per second: every generated token after the first comes from one decode step. */
    public double decodeTokensPerSecond() {
      int steps = tokens.length - 1;
      return steps <= 0 || decodeNanos == 0 ? 0 : steps * 1e9 / decodeNanos;
    }
  }

  private Generation() {}

  public static Result generate(Decoder decoder, long[] prompt, int newTokens, TokenSampler sampler) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    long[] out = new long[newTokens];
    long start = System.nanoTime();
    float[] logits = decoder.feed(prompt);
    long prefill = System.nanoTime() - start;
    long decodeStart = System.nanoTime();
    for (int i = 0; i < newTokens; i++) {
      out[i] = sampler.sample(logits);
      if (i + 1 < newTokens) {
        logits = decoder.feed(new long[] {out[i]});
      }
    }
    return new Result(out, prefill, System.nanoTime() - decodeStart);
  }
}
