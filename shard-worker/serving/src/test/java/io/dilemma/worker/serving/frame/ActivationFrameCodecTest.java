package io.dilemma.worker.serving.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ShardPlan.CutQuantization;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationFrameCodecTest {
  private static final int WIDTH = 64;
  private static final FrameLimits LIMITS = new FrameLimits(WIDTH, 128);

  private static float[] hidden(int tokens, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[tokens * WIDTH];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian() * 3;
    }
    return values;
  }

  @Test
  void unquantizedFramesCarryTheExactValues() throws Exception {
    float[] values = hidden(5, 1);
    byte[] frame = ActivationFrameCodec.encode(values, WIDTH, new boolean[5], CutQuantization.none());
    assertThat(frame).hasSize(ActivationFrameCodec.HEADER_BYTES + 4 * 5 * WIDTH);
    DecodedFrame decoded = ActivationFrameCodec.decode(frame, LIMITS);
    assertThat(decoded.hidden()).containsExactly(values);
    assertThat(decoded.quantized()).isFalse();
  }

  @Test
  void quantizedFrameSizeIsHeaderBitMapScalesAndTheCutFormula() throws Exception {
    int tokens = 20;
    for (double rho : new double[] {0, 0.25, 0.5, 1}) {
      CutQuantization cut = new CutQuantization(rho, 8, 4);
      boolean[] high = CutQuota.start().choose(new float[tokens], rho);
      byte[] frame = ActivationFrameCodec.encode(hidden(tokens, 2), WIDTH, high, cut);
      double formula = (8 * rho + 4 * (1 - rho)) * WIDTH * tokens / 8;
      int documentedOverhead = ActivationFrameCodec.HEADER_BYTES + (tokens + 7) / 8 + 4 * tokens;
      assertThat(frame.length).as("rho %s", rho).isEqualTo(documentedOverhead + (int) formula);
    }
  }

  @Test
  void decodesQuantizedFramesWithinHalfAStepPerValue() throws Exception {
    int tokens = 9;
    float[] values = hidden(tokens, 3);
    boolean[] high = {true, false, false, true, false, false, false, true, false};
    byte[] frame = ActivationFrameCodec.encode(values, WIDTH, high, new CutQuantization(0.33, 8, 4));
    DecodedFrame decoded = ActivationFrameCodec.decode(frame, LIMITS);
    assertThat(decoded.highPrecision()).containsExactly(high);
    assertThat(decoded.rho()).isEqualTo(0.33f);
    for (int t = 0; t < tokens; t++) {
      float max = 0;
      for (int i = 0; i < WIDTH; i++) {
        max = Math.max(max, Math.abs(values[t * WIDTH + i]));
      }
      float halfStep = max / (high[t] ? 128 : 8) / 2;
      for (int i = 0; i < WIDTH; i++) {
        assertThat(Math.abs(decoded.hidden()[t * WIDTH + i] - values[t * WIDTH + i]))
            .isLessThanOrEqualTo(halfStep * 1.001f);
      }
    }
  }

  @Test
  void rejectsTruncatedForeignAndOversizedFramesWithAClearMessage() {
    byte[] valid = ActivationFrameCodec.encode(hidden(3, 4), WIDTH, new boolean[] {true, false, false}, new CutQuantization(0.3, 8, 4));

    byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
    assertThatThrownBy(() -> ActivationFrameCodec.decode(truncated, LIMITS))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("must be " + valid.length + " bytes, got " + (valid.length - 1));

    byte[] foreign = valid.clone();
    foreign[0] = 'X';
    assertThatThrownBy(() -> ActivationFrameCodec.decode(foreign, LIMITS)).hasMessageContaining("magic");

    byte[] oversized = valid.clone();
    ByteBuffer.wrap(oversized).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1 << 30);
    assertThatThrownBy(() -> ActivationFrameCodec.decode(oversized, LIMITS))
        .hasMessageContaining("carries 1073741824 tokens, must be 1..128");

    byte[] otherWidth = valid.clone();
    ByteBuffer.wrap(otherWidth).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 32);
    assertThatThrownBy(() -> ActivationFrameCodec.decode(otherWidth, LIMITS))
        .hasMessageContaining("width 32 does not match the model's hidden size 64");

    byte[] badScale = valid.clone();
    ByteBuffer.wrap(badScale).order(ByteOrder.LITTLE_ENDIAN).putFloat(ActivationFrameCodec.HEADER_BYTES + 1, Float.NaN);
    assertThatThrownBy(() -> ActivationFrameCodec.decode(badScale, LIMITS))
        .hasMessageContaining("scale of token 0 is NaN");

    byte[] strayBit = valid.clone();
    strayBit[ActivationFrameCodec.HEADER_BYTES] |= (byte) 0x80;
    assertThatThrownBy(() -> ActivationFrameCodec.decode(strayBit, LIMITS)).hasMessageContaining("past token 3");

    assertThatThrownBy(() -> ActivationFrameCodec.decode(new byte[3], LIMITS)).hasMessageContaining("shorter than");
  }
}
