package io.dilemma.worker.serving.frame;

import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The activation frame: the bytes that cross a cut. Little-endian throughout.
 *
 * <pre>
 * offset size  field
 *  0      4    magic "DLAF"
 *  4      1    version (1)
 *  5      1    highBits: 8 or 4; 16 = unquantized (fp32 values follow the header)
 *  6      1    lowBits:  8 or 4; 16 when highBits is 16
 *  7      1    reserved, 0
 *  8      4    tokens T (u32)
 * 12      4    width d (u32)
 * 16      4    rho (f32)
 * 20      ⌈T/8⌉ bit map, bit t (LSB first) set = token t at highBits      (quantized frames only)
 *  …      4·T  per-token scales α (f32)                                   (quantized frames only)
 *  …           payload: rows in token order, ⌈d·β_t/8⌉ bytes each (4-bit: two codes per byte)
 * </pre>
 *
 * A quantized frame is therefore {@code 20 + ⌈T/8⌉ + 4T + O_i} bytes with {@code O_i = Σ_t
 * ⌈d·β_t/8⌉}; an unquantized one is {@code 20 + 4·T·d}. 16 means "no quantization": the values
 * travel as fp32 so that a 16-bit pipeline is bit-identical to one process.
 */
public final class ActivationFrameCodec {
  public static final int HEADER_BYTES = 20;
  public static final int UNQUANTIZED_BITS = 16;
  private static final int MAGIC = 'D' | 'L' << 8 | 'A' << 16 | 'F' << 24;
  private static final byte VERSION = 1;
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private ActivationFrameCodec() {}

  /** Frame size for a chunk, before encoding it. */
  public static int frameBytes(int tokens, int width, boolean[] high, CutQuantization cut) {
    if (cut.highBits() == UNQUANTIZED_BITS) {
      return HEADER_BYTES + 4 * tokens * width;
    }
    return HEADER_BYTES
        + bitMapBytes(tokens)
        + 4 * tokens
        + TokenAdaptiveQuantizer.payloadBytes(high, width, cut.highBits(), cut.lowBits());
  }

  /**
   * Encodes {@code hidden} ({@code [high.length × width]}); {@code high} marks the tokens that keep
   * {@code cut.highBits()} and is ignored for an unquantized cut.
   */
  public static byte[] encode(float[] hidden, int width, boolean[] high, CutQuantization cut) {
    checkCut(cut);
    int tokens = high.length;
    byte[] frame = new byte[frameBytes(tokens, width, high, cut)];
    INT.set(frame, 0, MAGIC);
    frame[4] = VERSION;
    frame[5] = (byte) cut.highBits();
    frame[6] = (byte) cut.lowBits();
    INT.set(frame, 8, tokens);
    INT.set(frame, 12, width);
    FLOAT.set(frame, 16, (float) cut.rho());
    if (cut.highBits() == UNQUANTIZED_BITS) {
      for (int i = 0, at = HEADER_BYTES; i < hidden.length; i++, at += 4) {
        FLOAT.set(frame, at, hidden[i]);
      }
      return frame;
    }
    int scalesAt = HEADER_BYTES + bitMapBytes(tokens);
    for (int t = 0; t < tokens; t++) {
      if (high[t]) {
        frame[HEADER_BYTES + (t >>> 3)] |= (byte) (1 << (t & 7));
      }
    }
    float[] scales = new float[tokens];
    int payloadAt = scalesAt + 4 * tokens;
    TokenAdaptiveQuantizer.quantizeInto(hidden, width, high, cut.highBits(), cut.lowBits(), scales, frame, payloadAt);
    for (int t = 0; t < tokens; t++) {
      FLOAT.set(frame, scalesAt + 4 * t, scales[t]);
    }
    return frame;
  }

  /**
   * The token count a frame's header declares, read without decoding it: what a shard sizes a
   * step's admission by. 1 when the header is too short (the decoder refuses such a frame).
   */
  public static int declaredTokens(com.google.protobuf.ByteString frame) {
    if (frame.size() < HEADER_BYTES) {
      return 1;
    }
    int tokens = (frame.byteAt(8) & 0xFF) | (frame.byteAt(9) & 0xFF) << 8 | (frame.byteAt(10) & 0xFF) << 16 | (frame.byteAt(11) & 0xFF) << 24;
    return tokens <= 0 ? 1 : tokens;
  }

  /** {@link #decode(byte[], FrameLimits)} of a frame received in a protobuf message. */
  public static DecodedFrame decode(com.google.protobuf.ByteString frame, FrameLimits limits) throws MalformedFrameException {
    return decode(frame.toByteArray(), limits);
  }

  /** Decodes a frame, checking every field against {@code limits} before allocating anything. */
  public static DecodedFrame decode(byte[] frame, FrameLimits limits) throws MalformedFrameException {
    if (frame.length < HEADER_BYTES) {
      throw new MalformedFrameException(
          "activation frame has " + frame.length + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
    }
    if ((int) INT.get(frame, 0) != MAGIC) {
      throw new MalformedFrameException("activation frame does not start with the magic \"DLAF\"");
    }
    if (frame[4] != VERSION) {
      throw new MalformedFrameException("activation frame version " + frame[4] + " is not supported (expected 1)");
    }
    int highBits = frame[5];
    int lowBits = frame[6];
    int tokens = (int) INT.get(frame, 8);
    int width = (int) INT.get(frame, 12);
    float rho = (float) FLOAT.get(frame, 16);
    checkHeader(frame[7], highBits, lowBits, tokens, width, rho, limits);
    if (highBits == UNQUANTIZED_BITS) {
      return decodeUnquantized(frame, tokens, width, rho);
    }
    boolean[] high = readBitMap(frame, tokens);
    CutQuantization cut = new CutQuantization(rho, highBits, lowBits);
    int expected = frameBytes(tokens, width, high, cut);
    if (frame.length != expected) {
      throw new MalformedFrameException(
          "activation frame of " + tokens + "×" + width + " at " + highBits + "/" + lowBits
              + " bits must be " + expected + " bytes, got " + frame.length);
    }
    int scalesAt = HEADER_BYTES + bitMapBytes(tokens);
    float[] scales = new float[tokens];
    for (int t = 0; t < tokens; t++) {
      float scale = (float) FLOAT.get(frame, scalesAt + 4 * t);
      if (!(scale >= 0 && scale < Float.POSITIVE_INFINITY)) {
        throw new MalformedFrameException("activation frame scale of token " + t + " is " + scale);
      }
      scales[t] = scale;
    }
    float[] hidden = new float[tokens * width];
    TokenAdaptiveQuantizer.dequantizeInto(frame, scalesAt + 4 * tokens, scales, high, width, highBits, lowBits, hidden);
    return new DecodedFrame(tokens, width, rho, highBits, lowBits, high, hidden);
  }

  private static void checkHeader(
      byte reserved, int highBits, int lowBits, int tokens, int width, float rho, FrameLimits limits)
      throws MalformedFrameException {
    if (reserved != 0) {
      throw new MalformedFrameException("activation frame reserved byte is " + reserved + ", must be 0");
    }
    boolean unquantized = highBits == UNQUANTIZED_BITS && lowBits == UNQUANTIZED_BITS;
    boolean quantized = isCutBits(highBits) && isCutBits(lowBits);
    if (!unquantized && !quantized) {
      throw new MalformedFrameException(
          "activation frame bits " + highBits + "/" + lowBits + " are not 8 or 4 each, nor 16/16");
    }
    if (width != limits.width()) {
      throw new MalformedFrameException(
          "activation frame width " + Integer.toUnsignedString(width) + " does not match the model's hidden size " + limits.width());
    }
    if (tokens <= 0 || tokens > limits.maxTokens()) {
      throw new MalformedFrameException(
          "activation frame carries " + Integer.toUnsignedString(tokens) + " tokens, must be 1.." + limits.maxTokens());
    }
    if (!(rho >= 0 && rho <= 1)) {
      throw new MalformedFrameException("activation frame rho " + rho + " is outside [0, 1]");
    }
  }

  private static DecodedFrame decodeUnquantized(byte[] frame, int tokens, int width, float rho)
      throws MalformedFrameException {
    long expected = HEADER_BYTES + 4L * tokens * width;
    if (frame.length != expected) {
      throw new MalformedFrameException(
          "activation frame (unquantized) of " + tokens + "×" + width + " must be " + expected + " bytes, got " + frame.length);
    }
    float[] hidden = new float[tokens * width];
    for (int i = 0, at = HEADER_BYTES; i < hidden.length; i++, at += 4) {
      float value = (float) FLOAT.get(frame, at);
      if (!Float.isFinite(value)) {
        throw new MalformedFrameException("activation frame value " + i + " is " + value);
      }
      hidden[i] = value;
    }
    boolean[] high = new boolean[tokens];
    Arrays.fill(high, true);
    return new DecodedFrame(tokens, width, rho, UNQUANTIZED_BITS, UNQUANTIZED_BITS, high, hidden);
  }

  private static boolean[] readBitMap(byte[] frame, int tokens) throws MalformedFrameException {
    if (frame.length < HEADER_BYTES + bitMapBytes(tokens)) {
      throw new MalformedFrameException("activation frame ends inside its bit map of " + tokens + " tokens");
    }
    boolean[] high = new boolean[tokens];
    for (int t = 0; t < tokens; t++) {
      high[t] = (frame[HEADER_BYTES + (t >>> 3)] & (1 << (t & 7))) != 0;
    }
    int spare = bitMapBytes(tokens) * 8 - tokens;
    if (spare > 0 && (frame[HEADER_BYTES + bitMapBytes(tokens) - 1] & 0xFF) >>> (8 - spare) != 0) {
      throw new MalformedFrameException("activation frame bit map has bits set past token " + tokens);
    }
    return high;
  }

  private static int bitMapBytes(int tokens) {
    return (tokens + 7) / 8;
  }

  private static boolean isCutBits(int bits) {
    return bits == TokenAdaptiveQuantizer.HIGH_BITS || bits == TokenAdaptiveQuantizer.LOW_BITS;
  }

  private static void checkCut(CutQuantization cut) {
    boolean unquantized = cut.highBits() == UNQUANTIZED_BITS && cut.lowBits() == UNQUANTIZED_BITS;
    if (!unquantized && !(isCutBits(cut.highBits()) && isCutBits(cut.lowBits()))) {
      throw new IllegalArgumentException(
          "cut bits " + cut.highBits() + "/" + cut.lowBits() + " are not 8 or 4 each, nor 16/16");
    }
    if (!(cut.rho() >= 0 && cut.rho() <= 1)) {
      throw new IllegalArgumentException("cut rho " + cut.rho() + " is outside [0, 1]");
    }
  }
}
