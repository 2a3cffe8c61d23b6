package io.dilemma.worker.serving.frame;

import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;

/**
 * How many high-precision tokens a session has sent through a cut so far.
 *
 * <p>A prefill chunk is ranked as a whole, but a decode step carries a single token, and "the top
 * ρ of one token" is either everything or nothing. So ρ applies to the session as a running quota:
 * a chunk gets {@code round(ρ·(sent + chunk)) − highSent} high-precision tokens (clamped to the
 * chunk), given to its most-attended tokens. After any number of steps the 8-bit share is within
 * one token of ρ, which keeps the wire bytes on the {@code O_i} formula, and a decode token gets 8
 * bits exactly when the session has fallen behind its share.
 */
public record CutQuota(long tokensSent, long highTokensSent) {

  public static CutQuota start() {
    return new CutQuota(0, 0);
  }

  /** High-precision tokens for the next chunk of {@code chunkTokens}. */
  public int highTokensFor(int chunkTokens, double rho) {
    long target = Math.round(rho * (tokensSent + chunkTokens));
    return (int) Math.max(0, Math.min(chunkTokens, target - highTokensSent));
  }

  public CutQuota after(int chunkTokens, int highTokens) {
    return new CutQuota(tokensSent + chunkTokens, highTokensSent + highTokens);
  }

  /** Chooses the chunk's high-precision tokens by attention received. */
  public boolean[] choose(float[] attentionReceived, double rho) {
    return TokenAdaptiveQuantizer.topTokens(attentionReceived, highTokensFor(attentionReceived.length, rho));
  }
}
