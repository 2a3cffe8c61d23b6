package io.dilemma.worker.model.quant;

import java.util.Arrays;

/**
 * Token-adaptive activation quantization at a pipeline cut (DILEMMA revised problem statement).
 *
 * <p>Every token row of the hidden state {@code [tokens × width]} gets its own scale {@code α =
 * max|x| / 2^(β−1)} and is quantized as {@code Q(x) = floor(clip(x/α, −2^(β−1), 2^(β−1)−1))}. The
 * top-ρ tokens, ranked by the attention they received in the last layer before the cut, keep
 * {@code highBits} (8); the rest get {@code lowBits} (4).
 *
 * <p>Codes are stored offset-binary ({@code q + 2^(β−1)}, so 0..2^β−1). A row takes {@code
 * ceil(width·β/8)} bytes; 4-bit codes are packed two to a byte, the even column in the low nibble.
 * Rows follow each other in token order, so the payload of a chunk is exactly {@code Σ_t
 * ceil(width·β_t/8)} bytes, i.e. {@code [8ρ + 4(1−ρ)]·width·tokens/8} for even widths.
 *
 * <p>Decoding reconstructs the middle of each quantization bin, {@code x̂ = (q + ½)·α}, so the
 * error per value is at most α/2 and an all-zero row decodes to zeros.
 *
 * <p>Pure and allocation-free on the {@code ...Into} paths, because it runs on every decode step of
 * every cut.
 */
public final class TokenAdaptiveQuantizer {

  /** The bit widths a cut may use; 16 means "not quantized" and is handled by the transport. */
  public static final int HIGH_BITS = 8;

  public static final int LOW_BITS = 4;

  private TokenAdaptiveQuantizer() {}

  /** How many of {@code tokens} get the high bit width at share {@code rho}: round(ρ·tokens). */
  public static int highTokenCount(double rho, int tokens) {
    checkRho(rho);
    return (int) Math.min(tokens, Math.round(rho * tokens));
  }

  /**
   * Marks the {@code count} tokens that received the most attention. Ties go to the earlier token
   * so that the choice is deterministic on both sides of a cut.
   */
  public static boolean[] topTokens(float[] attentionReceived, int count) {
    int tokens = attentionReceived.length;
    if (count < 0 || count > tokens) {
      throw new IllegalArgumentException(
          "cannot pick " + count + " high-precision tokens out of " + tokens);
    }
    boolean[] high = new boolean[tokens];
    if (count == tokens) {
      Arrays.fill(high, true);
      return high;
    }
    if (count == 0) {
      return high;
    }
    Integer[] order = new Integer[tokens];
    for (int i = 0; i < tokens; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int byAttention = Float.compare(rankable(attentionReceived[b]), rankable(attentionReceived[a]));
          return byAttention != 0 ? byAttention : Integer.compare(a, b);
        });
    for (int i = 0; i < count; i++) {
      high[order[i]] = true;
    }
    return high;
  }

  /** Bytes one token row of {@code width} values takes at {@code bits}. */
  public static int rowBytes(int width, int bits) {
    checkBits(bits);
    return (width * bits + 7) / 8;
  }

  /** Payload bytes of a chunk whose token {@code t} uses high bits iff {@code high[t]}. */
  public static int payloadBytes(boolean[] high, int width, int highBits, int lowBits) {
    int highRow = rowBytes(width, highBits);
    int lowRow = rowBytes(width, lowBits);
    int total = 0;
    for (boolean h : high) {
      total += h ? highRow : lowRow;
    }
    return total;
  }

  /**
   * Quantizes {@code hidden} ({@code [high.length × width]} row-major) into {@code scalesOut} (one
   * per token) and {@code payloadOut} from {@code payloadOffset}. Returns the payload bytes
   * written.
   */
  public static int quantizeInto(
      float[] hidden,
      int width,
      boolean[] high,
      int highBits,
      int lowBits,
      float[] scalesOut,
      byte[] payloadOut,
      int payloadOffset) {
    int tokens = high.length;
    checkShape(hidden.length, tokens, width);
    checkBits(highBits);
    checkBits(lowBits);
    int out = payloadOffset;
    for (int t = 0; t < tokens; t++) {
      int bits = high[t] ? highBits : lowBits;
      int rowStart = t * width;
      float scale = maxAbs(hidden, rowStart, width) / (1 << (bits - 1));
      scalesOut[t] = scale;
      float inverse = scale == 0f ? 0f : 1f / scale;
      out =
          bits == 8
              ? quantizeRow8(hidden, rowStart, width, inverse, payloadOut, out)
              : quantizeRow4(hidden, rowStart, width, inverse, payloadOut, out);
    }
    return out - payloadOffset;
  }

  /**
   * Inverse of {@link #quantizeInto}: fills {@code hiddenOut} ({@code [high.length × width]}) from
   * the scales and the payload at {@code payloadOffset}. Returns the payload bytes read.
   */
  public static int dequantizeInto(
      byte[] payload,
      int payloadOffset,
      float[] scales,
      boolean[] high,
      int width,
      int highBits,
      int lowBits,
      float[] hiddenOut) {
    int tokens = high.length;
    checkShape(hiddenOut.length, tokens, width);
    checkBits(highBits);
    checkBits(lowBits);
    int in = payloadOffset;
    for (int t = 0; t < tokens; t++) {
      int bits = high[t] ? highBits : lowBits;
      int rowStart = t * width;
      in =
          bits == 8
              ? dequantizeRow8(payload, in, scales[t], hiddenOut, rowStart, width)
              : dequantizeRow4(payload, in, scales[t], hiddenOut, rowStart, width);
    }
    return in - payloadOffset;
  }

  /**
   * Quantizes and immediately dequantizes a chunk at share {@code rho} with 8/4 bits: what the next
   * shard would see. The profiler uses it to measure a cut's quality cost.
   */
  public static float[] roundTrip(float[] hidden, int width, float[] attentionReceived, double rho) {
    boolean[] high = topTokens(attentionReceived, highTokenCount(rho, attentionReceived.length));
    float[] scales = new float[high.length];
    byte[] payload = new byte[payloadBytes(high, width, HIGH_BITS, LOW_BITS)];
    quantizeInto(hidden, width, high, HIGH_BITS, LOW_BITS, scales, payload, 0);
    float[] restored = new float[hidden.length];
    dequantizeInto(payload, 0, scales, high, width, HIGH_BITS, LOW_BITS, restored);
    return restored;
  }

  private static float maxAbs(float[] values, int start, int length) {
    float max = 0f;
    for (int i = start, end = start + length; i < end; i++) {
      max = Math.max(max, Math.abs(values[i]));
    }
    return max;
  }

  // floor(v) for v ≥ 0 is the int cast, so shifting by 2^(β−1) first gives floor, clip and the
  // offset-binary code in one vectorizable expression.
  private static int quantizeRow8(
      float[] hidden, int start, int width, float inverse, byte[] out, int at) {
    for (int i = 0; i < width; i++) {
      int code = (int) (hidden[start + i] * inverse + 128f);
      out[at + i] = (byte) Math.min(255, Math.max(0, code));
    }
    return at + width;
  }

  private static int quantizeRow4(
      float[] hidden, int start, int width, float inverse, byte[] out, int at) {
    int pairs = width / 2;
    for (int p = 0; p < pairs; p++) {
      int even = Math.min(15, Math.max(0, (int) (hidden[start + 2 * p] * inverse + 8f)));
      int odd = Math.min(15, Math.max(0, (int) (hidden[start + 2 * p + 1] * inverse + 8f)));
      out[at + p] = (byte) (even | (odd << 4));
    }
    if ((width & 1) != 0) {
      out[at + pairs] = (byte) Math.min(15, Math.max(0, (int) (hidden[start + width - 1] * inverse + 8f)));
      return at + pairs + 1;
    }
    return at + pairs;
  }

  private static int dequantizeRow8(
      byte[] payload, int at, float scale, float[] out, int start, int width) {
    for (int i = 0; i < width; i++) {
      out[start + i] = ((payload[at + i] & 0xFF) - 127.5f) * scale;
    }
    return at + width;
  }

  private static int dequantizeRow4(
      byte[] payload, int at, float scale, float[] out, int start, int width) {
    int pairs = width / 2;
    for (int p = 0; p < pairs; p++) {
      int packed = payload[at + p];
      out[start + 2 * p] = ((packed & 0x0F) - 7.5f) * scale;
      out[start + 2 * p + 1] = (((packed >> 4) & 0x0F) - 7.5f) * scale;
    }
    if ((width & 1) != 0) {
      out[start + width - 1] = ((payload[at + pairs] & 0x0F) - 7.5f) * scale;
      return at + pairs + 1;
    }
    return at + pairs;
  }

  // NaN attention (a broken layer) must not reorder the rest arbitrarily: it ranks last.
  private static float rankable(float attention) {
    return Float.isNaN(attention) ? Float.NEGATIVE_INFINITY : attention;
  }

  private static void checkShape(int values, int tokens, int width) {
    if (width <= 0 || (long) tokens * width != values) {
      throw new IllegalArgumentException(
          "activation shape " + tokens + "×" + width + " does not match " + values + " values");
    }
  }

  private static void checkBits(int bits) {
    if (bits != 8 && bits != 4) {
      throw new IllegalArgumentException("cut quantization supports 8 or 4 bits, not " + bits);
    }
  }

  private static void checkRho(double rho) {
    if (!(rho >= 0 && rho <= 1)) {
      throw new IllegalArgumentException("rho must be within [0, 1], got " + rho);
    }
  }
}
