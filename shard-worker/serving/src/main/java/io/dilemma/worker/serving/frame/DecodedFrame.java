package io.dilemma.worker.serving.frame;

/**
 * An activation frame after decoding.
 *
 * @param hidden {@code [tokens × width]} row-major, dequantized
 * @param highPrecision which tokens travelled at {@code highBits}; all true for an unquantized frame
 */
public record DecodedFrame(
    int tokens, int width, float rho, int highBits, int lowBits, boolean[] highPrecision, float[] hidden) {

  public boolean quantized() {
    return highBits != ActivationFrameCodec.UNQUANTIZED_BITS;
  }
}
