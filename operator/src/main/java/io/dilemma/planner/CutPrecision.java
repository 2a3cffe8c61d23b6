package io.dilemma.planner;

/**
 * How activations cross a cut between machines. The planner prices a cut's bytes and its quality
 * loss from this, and the workers quantize with the same two widths, so the two cannot disagree.
 */
public enum CutPrecision {
  /**
   * The token-adaptive scheme: the most-attended share ρ of tokens crosses at 8 bits, the rest at
   * 4. Its quality loss per ρ comes from the model profile.
   */
  TOKEN_ADAPTIVE(8, 4),
  /**
   * Every token at 16 bits: lossless, so the chain serves exactly what one process computes. For
   * checking a deployment against a single-process reference, and for links fast enough that the
   * bytes do not matter.
   */
  FULL(16, 16);

  private final int highBits;
  private final int lowBits;

  CutPrecision(int highBits, int lowBits) {
    this.highBits = highBits;
    this.lowBits = lowBits;
  }

  public int highBits() {
    return highBits;
  }

  public int lowBits() {
    return lowBits;
  }

  /** Bits per activation value at ρ, averaged over the tokens of a request. */
  public double averageBits(double rho) {
    return highBits * rho + lowBits * (1 - rho);
  }

  /** Whether a cut costs quality at all; a lossless cut adds nothing to the quality row. */
  public boolean lossless() {
    return lowBits >= 16;
  }
}
