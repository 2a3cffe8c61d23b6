package io.dilemma.worker.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BatchedDecodeTest {
  private final OptWeights weights = new WeightSynthesizer(3).synthesize(OptPreset.OPT_TINY.dimensions());

  @Test
  void sessionsWithDifferentPastsDecodeInOneBatchAsTheyWouldAlone() {
    long[][] prompts = {{2, 40, 41}, {2, 50, 51, 52, 53, 54, 55}, {2, 60}};
    long[] next = {7, 8, 9};
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 3, List.of(32, 32, 32, 32), true, false), 32, 32)) {
      KvState[] pasts = new KvState[prompts.length];
      float[][] hidden = new float[prompts.length][];
      LayerStep[] alone = new LayerStep[prompts.length];
      for (int b = 0; b < prompts.length; b++) {
        pasts[b] = runner.runLayers(runner.embed(prompts[b], 0), prompts[b].length, KvState.empty()).present();
        hidden[b] = runner.embed(new long[] {next[b]}, prompts[b].length);
        alone[b] = runner.runLayers(hidden[b], 1, pasts[b]);
      }
      LayerStep[] batched = runner.runLayersBatch(hidden, pasts);
      for (int b = 0; b < prompts.length; b++) {
        assertThat(batched[b].present().length()).isEqualTo(prompts[b].length + 1);
        assertThat(batched[b].present().sizeBytes()).isEqualTo(alone[b].present().sizeBytes());
        for (int i = 0; i < hidden[b].length; i++) {
          assertThat(batched[b].hidden()[i]).as("session %d value %d", b, i).isCloseTo(alone[b].hidden()[i], Offset.offset(1e-5f));
        }
        assertThat(batched[b].attentionReceived()[0]).isCloseTo(alone[b].attentionReceived()[0], Offset.offset(1e-5f));
        LayerKvCache batchedCache = (LayerKvCache) batched[b].present();
        LayerKvCache aloneCache = (LayerKvCache) alone[b].present();
        for (int layer = 0; layer < 4; layer++) {
          float[] k = batchedCache.keys(layer);
          float[] expected = aloneCache.keys(layer);
          for (int i = 0; i < k.length; i++) {
            assertThat(k[i]).isCloseTo(expected[i], Offset.offset(1e-5f));
          }
        }
      }
      // the next step of one session from its batched cache continues as it would have alone
      LayerStep after = runner.runLayers(runner.embed(new long[] {3}, prompts[1].length + 1), 1, batched[1].present());
      LayerStep afterAlone = runner.runLayers(runner.embed(new long[] {3}, prompts[1].length + 1), 1, alone[1].present());
      assertThat(after.hidden()[0]).isCloseTo(afterAlone.hidden()[0], Offset.offset(1e-5f));
    }
  }

  @Test
  void aBatchOfOneIsBitIdenticalToTheSingleSessionStep() {
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 1, List.of(32, 32), true, false), 32, 32)) {
      KvState past = runner.runLayers(runner.embed(new long[] {2, 5, 6}, 0), 3, KvState.empty()).present();
      float[] token = runner.embed(new long[] {9}, 3);
      assertThat(runner.runLayersBatch(new float[][] {token}, new KvState[] {past})[0].hidden())
          .containsExactly(runner.runLayers(token, 1, past).hidden());
    }
  }
}
