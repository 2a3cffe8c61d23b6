package io.dilemma.worker.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GroupQuantizerTest {
  private static float[] gaussian(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 8})
  void everyWeightIsWithinHalfAScaleOfItsReconstruction(int bits) {
    float[] w = gaussian(8 * 512, bits);
    PackedMatrix packed = GroupQuantizer.pack(w, 8, 512, bits);
    float[] restored = packed.dequantize();
    for (int i = 0; i < w.length; i++) {
      int group = i / packed.groupSize();
      float scale = Half.toFloat(packed.scales()[group]);
      assertThat(Math.abs(w[i] - restored[i])).isLessThanOrEqualTo(scale * 0.5f + 1e-6f);
    }
  }

  @Test
  void errorShrinksWithEveryExtraBitWidth() {
    float[] w = gaussian(16 * 256, 5);
    double previous = Double.MAX_VALUE;
    for (int bits : new int[] {2, 3, 4, 8}) {
      double error = GroupQuantizer.normalizedError(w, GroupQuantizer.pack(w, 16, 256, bits));
      assertThat(error).isLessThan(previous);
      previous = error;
    }
    assertThat(previous).isLessThan(0.01);
  }

  @Test
  void storedBytesAreBitsOverEightPlusOneFp16ScalePer256Weights() {
    PackedMatrix packed = GroupQuantizer.pack(gaussian(4 * 1024, 1), 4, 1024, 4);
    assertThat(packed.groupSize()).isEqualTo(256);
    assertThat(packed.storedBytes()).isEqualTo(4 * 1024 / 2 + 4 * 4 * 2);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void narrowCodesWidenToTheSameValuesAtFourBits(int bits) {
    float[] w = gaussian(4 * 256, 9);
    PackedMatrix narrow = GroupQuantizer.pack(w, 4, 256, bits);
    PackedMatrix four = narrow.widenTo4Bits();
    assertThat(four.bits()).isEqualTo(4);
    assertThat(four.codes()).hasSize(4 * 256 / 2);
    assertThat(four.dequantize()).containsExactly(narrow.dequantize());
  }

  @Test
  void narrowInputsUseSmallerGroupsAndOddWidthsAreRejected() {
    assertThat(GroupQuantizer.groupSize(64)).isEqualTo(64);
    assertThat(GroupQuantizer.groupSize(768)).isEqualTo(256);
    assertThat(GroupQuantizer.groupSize(3072)).isEqualTo(256);
    assertThatThrownBy(() -> GroupQuantizer.groupSize(100)).hasMessageContaining("100");
  }

  @Test
  void halfPrecisionRoundTripsRepresentableValuesExactly() {
    for (float v : new float[] {0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertThat(Half.toFloat(Half.fromFloat(v))).isEqualTo(v);
    }
    assertThat(Half.toFloat(Half.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Half.round(0.1f)).isCloseTo(0.1f, org.assertj.core.data.Offset.offset(1e-4f));
  }
}
