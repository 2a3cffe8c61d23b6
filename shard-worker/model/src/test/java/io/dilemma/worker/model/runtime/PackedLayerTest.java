package io.dilemma.worker.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.GroupQuantizer;
import io.dilemma.worker.model.weights.Half;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX Runtime must compute a packed layer with exactly the weights the Java packer meant. */
class PackedLayerTest {
  private final OptWeights weights = new WeightSynthesizer(5).synthesize(OptPreset.OPT_TINY.dimensions());

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 8, 16})
  void packedLayerMatchesAnFp32LayerHoldingTheReconstructedWeights(int bits) {
    OptWeights reconstructed = weights;
    for (String linear : OptWeights.BLOCK_LINEARS) {
      String name = OptWeights.layerName(1, linear + ".weight");
      FloatTensor w = weights.get(name);
      float[] restored =
          bits == 16 ? halfRounded(w.data()) : GroupQuantizer.pack(w.data(), w.rows(), w.columns(), bits).dequantize();
      reconstructed = reconstructed.with(name, new FloatTensor(w.shape(), restored));
    }
    float[] hidden = randomHidden(6);
    float[] packed = runLayer(weights, bits, hidden);
    float[] reference = runLayer(reconstructed, 32, hidden);
    float[] teacher = runLayer(weights, 32, hidden);

    System.out.printf("%d bits: max |packed − reconstructed| %.2e, |packed − fp32| %.2e%n", bits, maxDifference(packed, reference), maxDifference(packed, teacher));
    // 8-bit layers compute with int8 activations (LinearEmitter.accuracyLevel), which adds their
    // rounding; a wrong code layout would be off by the weights' own size (~1e-1).
    double tolerance = bits == 8 ? 3e-3 : 1e-4;
    assertThat(maxDifference(packed, reference)).isLessThan(tolerance);
    assertThat(maxDifference(packed, teacher)).isGreaterThan(1e-6);
  }

  private float[] runLayer(OptWeights w, int bits, float[] hidden) {
    try (ShardRunner runner = ShardRunner.inMemory(w, new LayerSelection(1, 1, List.of(bits), false, false), 32, 32)) {
      return runner.runLayers(hidden, 6, KvState.empty()).hidden();
    }
  }

  private float[] randomHidden(int tokens) {
    SplittableRandom random = new SplittableRandom(1);
    float[] hidden = new float[tokens * weights.dimensions().hiddenSize()];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    return hidden;
  }

  private static float[] halfRounded(float[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Half.round(values[i]);
    }
    return out;
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
