package io.dilemma.worker.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.format.ModelDirectoryWriter;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerLayerGraphsTest {
  @TempDir Path dir;

  @Test
  void perLayerGraphsGenerateTheSameGreedyTokensAsOneWholeModelGraph() throws Exception {
    OptWeights weights = new WeightSynthesizer(7).synthesize(OptPreset.OPT_TINY.dimensions());
    int layers = weights.dimensions().layers();
    ModelDirectoryWriter.write(dir, "opt-tiny", weights, Collections.nCopies(layers, List.of(32)), 32, 32, null, l -> {});
    long[] prompt = {2, 17, 301, 44, 9};

    Generation.Result perLayer;
    try (ShardRunner runner = ShardRunner.open(dir, LayerSelection.wholeModel(layers, 32))) {
      perLayer = Generation.generate(new ShardDecoder(runner), prompt, 24, TokenSampler.greedy());
    }
    Generation.Result whole;
    try (WholeModelDecoder decoder = new WholeModelDecoder(weights, 32, 32, 32)) {
      whole = Generation.generate(decoder, prompt, 24, TokenSampler.greedy());
    }

    assertThat(perLayer.tokens()).containsExactly(whole.tokens());
    assertThat(java.util.Arrays.stream(perLayer.tokens()).distinct().count()).isGreaterThan(1);
  }
}
