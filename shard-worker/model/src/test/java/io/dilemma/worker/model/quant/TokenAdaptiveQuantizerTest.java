package io.dilemma.worker.model.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenAdaptiveQuantizerTest {

  private static float[] gaussian(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      // a few large outliers, as real residual streams have
      values[i] = (float) (random.nextGaussian() * (i % 37 == 0 ? 20 : 1));
    }
    return values;
  }

  @Test
  void decodesEveryValueToTheMiddleOfTheBinThatTheFormulaPicks() {
    int tokens = 6;
    int width = 33; // odd: exercises the half-filled last byte of a 4-bit row
    float[] hidden = gaussian(tokens * width, 1);
    boolean[] high = {true, false, true, false, false, true};
    float[] scales = new float[tokens];
    byte[] payload = new byte[TokenAdaptiveQuantizer.payloadBytes(high, width, 8, 4)];
    TokenAdaptiveQuantizer.quantizeInto(hidden, width, high, 8, 4, scales, payload, 0);
    float[] restored = new float[hidden.length];
    TokenAdaptiveQuantizer.dequantizeInto(payload, 0, scales, high, width, 8, 4, restored);

    for (int t = 0; t < tokens; t++) {
      int bits = high[t] ? 8 : 4;
      double max = 0;
      for (int i = 0; i < width; i++) {
        max = Math.max(max, Math.abs(hidden[t * width + i]));
      }
      double alpha = max / Math.pow(2, bits - 1);
      assertThat((double) scales[t]).isCloseTo(alpha, org.assertj.core.data.Offset.offset(1e-6 * alpha));
      for (int i = 0; i < width; i++) {
        double x = hidden[t * width + i];
        double low = -Math.pow(2, bits - 1);
        double highCode = Math.pow(2, bits - 1) - 1;
        double q = Math.floor(Math.min(highCode, Math.max(low, x / alpha)));
        double expected = (q + 0.5) * alpha;
        assertThat((double) restored[t * width + i])
            .as("token %d column %d", t, i)
            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * max + 1e-7));
        assertThat(Math.abs(restored[t * width + i] - x)).isLessThanOrEqualTo(alpha / 2 * 1.0001 + 1e-7);
      }
    }
  }

  @Test
  void payloadSizeFollowsTheCutFormula() {
    int width = 768;
    int tokens = 40;
    for (double rho : new double[] {0, 0.25, 0.5, 1}) {
      boolean[] high = TokenAdaptiveQuantizer.topTokens(gaussian(tokens, 7), TokenAdaptiveQuantizer.highTokenCount(rho, tokens));
      double formula = (8 * rho + 4 * (1 - rho)) * width * tokens / 8;
      assertThat(TokenAdaptiveQuantizer.payloadBytes(high, width, 8, 4)).isEqualTo((int) formula);
      float[] scales = new float[tokens];
      byte[] payload = new byte[(int) formula + 3];
      int written =
          TokenAdaptiveQuantizer.quantizeInto(gaussian(tokens * width, 2), width, high, 8, 4, scales, payload, 3);
      assertThat(written).isEqualTo((int) formula);
    }
  }

  @Test
  void picksTheMostAttendedTokensAndBreaksTiesByPosition() {
    float[] attention = {0.1f, 0.9f, 0.5f, 0.5f, Float.NaN, 0.7f};
    assertThat(TokenAdaptiveQuantizer.topTokens(attention, 3))
        .containsExactly(false, true, true, false, false, true);
    assertThat(TokenAdaptiveQuantizer.topTokens(attention, 0)).containsOnly(false);
    assertThat(TokenAdaptiveQuantizer.topTokens(attention, 6)).containsOnly(true);
    assertThat(TokenAdaptiveQuantizer.highTokenCount(0.3, 10)).isEqualTo(3);
    assertThat(TokenAdaptiveQuantizer.highTokenCount(0.25, 1)).isZero();
    assertThat(TokenAdaptiveQuantizer.highTokenCount(1, 1)).isEqualTo(1);
  }

  @Test
  void moreHighPrecisionTokensMeanLessError() {
    int tokens = 32;
    int width = 64;
    float[] hidden = gaussian(tokens * width, 3);
    float[] attention = gaussian(tokens, 4);
    double previous = Double.MAX_VALUE;
    for (double rho : new double[] {0, 0.25, 0.5, 0.75, 1}) {
      float[] restored = TokenAdaptiveQuantizer.roundTrip(hidden, width, attention, rho);
      double error = 0;
      for (int i = 0; i < hidden.length; i++) {
        error += (hidden[i] - restored[i]) * (double) (hidden[i] - restored[i]);
      }
      assertThat(error).as("squared error at rho %s", rho).isLessThan(previous);
      previous = error;
    }
  }

  @Test
  void anAllZeroTokenStaysZero() {
    float[] hidden = new float[8];
    float[] restored = TokenAdaptiveQuantizer.roundTrip(hidden, 4, new float[] {1, 0}, 0.5);
    assertThat(restored).containsOnly(0f);
  }

  @Test
  void rejectsUnsupportedBitsAndShapes() {
    assertThatThrownBy(() -> TokenAdaptiveQuantizer.rowBytes(16, 3))
        .hasMessageContaining("8 or 4 bits, not 3");
    assertThatThrownBy(
            () ->
                TokenAdaptiveQuantizer.quantizeInto(
                    new float[10], 4, new boolean[2], 8, 4, new float[2], new byte[10], 0))
        .hasMessageContaining("2×4 does not match 10");
    assertThatThrownBy(() -> TokenAdaptiveQuantizer.highTokenCount(1.5, 4)).hasMessageContaining("rho");
  }
}
