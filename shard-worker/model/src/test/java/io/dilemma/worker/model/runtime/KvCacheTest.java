package io.dilemma.worker.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvCacheTest {
  private final OptWeights weights = new WeightSynthesizer(2).synthesize(OptPreset.OPT_TINY.dimensions());

  @Test
  void decodingTokenByTokenWithTheCacheEqualsOnePassOverTheWholeSequence() {
    long[] tokens = {2, 50, 60, 70, 80, 90};
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 3, List.of(32, 32, 32, 32), true, false), 32, 32)) {
      LayerStep whole = runner.runLayers(runner.embed(tokens, 0), tokens.length, KvState.empty());
      KvState cache = KvState.empty(tokens.length);
      float[] last = null;
      for (int t = 0; t < tokens.length; t++) {
        LayerStep step = runner.runLayers(runner.embed(new long[] {tokens[t]}, t), 1, cache);
        cache = step.present();
        last = step.hidden();
      }
      int d = weights.dimensions().hiddenSize();
      float[] wholeLast = Arrays.copyOfRange(whole.hidden(), (tokens.length - 1) * d, tokens.length * d);
      for (int i = 0; i < d; i++) {
        assertThat(last[i]).isCloseTo(wholeLast[i], org.assertj.core.data.Offset.offset(1e-4f));
      }
      assertThat(cache.length()).isEqualTo(tokens.length);
      assertThat(cache.sizeBytes()).isEqualTo(4L * 2 * tokens.length * d * 4);
    }
  }

  @Test
  void aCacheAdmittedForSomePositionsHoldsNoMoreUnlessAStepNeedsThem() {
    int d = weights.dimensions().hiddenSize();
    long perPosition = 2L * 2 * d * Float.BYTES; // 2 layers, keys and values
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 1, List.of(32, 32), true, false), 32, 32)) {
      KvState cache = runner.runLayers(runner.embed(new long[] {2, 3, 4}, 0), 3, KvState.empty(5)).present();
      assertThat(cache.sizeBytes()).isEqualTo(5 * perPosition);
      for (int t = 3; t < 6; t++) {
        cache = runner.runLayers(runner.embed(new long[] {7}, t), 1, cache).present();
      }
      assertThat(cache.length()).isEqualTo(6);
      assertThat(cache.sizeBytes()).isEqualTo(6 * perPosition);
      KvState unbounded = runner.runLayers(runner.embed(new long[] {2, 3, 4}, 0), 3, KvState.empty()).present();
      assertThat(unbounded.sizeBytes()).isEqualTo(6 * perPosition); // room to double
    }
  }

  /**
   * Caches are appended in place, yet a step from an older snapshot (a retry) must neither see nor
   * overwrite the positions a newer step appended: both continue as if alone.
   */
  @Test
  void aStepFromAnOlderSnapshotLeavesTheNewerOneIntact() {
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 1, List.of(32, 32), true, false), 32, 32)) {
      KvState prompt = runner.runLayers(runner.embed(new long[] {2, 3, 4}, 0), 3, KvState.empty()).present();
      KvState afterFive = runner.runLayers(runner.embed(new long[] {5}, 3), 1, prompt).present();
      KvState afterNine = runner.runLayers(runner.embed(new long[] {9}, 3), 1, prompt).present();
      float[] continuedFive = runner.runLayers(runner.embed(new long[] {6}, 4), 1, afterFive).hidden();
      float[] continuedNine = runner.runLayers(runner.embed(new long[] {6}, 4), 1, afterNine).hidden();

      KvState fresh = runner.runLayers(runner.embed(new long[] {2, 3, 4}, 0), 3, KvState.empty()).present();
      KvState freshFive = runner.runLayers(runner.embed(new long[] {5}, 3), 1, fresh).present();
      assertThat(continuedFive).containsExactly(runner.runLayers(runner.embed(new long[] {6}, 4), 1, freshFive).hidden());
      KvState freshAgain = runner.runLayers(runner.embed(new long[] {2, 3, 4}, 0), 3, KvState.empty()).present();
      KvState freshNine = runner.runLayers(runner.embed(new long[] {9}, 3), 1, freshAgain).present();
      assertThat(continuedNine).containsExactly(runner.runLayers(runner.embed(new long[] {6}, 4), 1, freshNine).hidden());
      assertThat(continuedFive).isNotEqualTo(continuedNine);
    }
  }

  @Test
  void attentionReceivedCoversTheChunkAndSumsToTheQueriesTimesHeads() {
    long[] tokens = {2, 11, 12, 13, 14};
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 1, List.of(32, 32), true, false), 32, 32)) {
      LayerStep step = runner.runLayers(runner.embed(tokens, 0), tokens.length, KvState.empty());
      assertThat(step.attentionReceived()).hasSize(tokens.length);
      double total = 0;
      for (float a : step.attentionReceived()) {
        total += a;
      }
      // Each of the 5 queries spreads probability 1 per head over the chunk's keys.
      assertThat(total).isCloseTo(tokens.length * weights.dimensions().heads(), org.assertj.core.data.Offset.offset(1e-3));
      // Causal attention: the first token is seen by every query, the last only by itself.
      assertThat(step.attentionReceived()[0]).isGreaterThan(step.attentionReceived()[tokens.length - 1]);
    }
  }

  @Test
  void aCacheFromAShardWithOtherLayersIsRejected() {
    try (ShardRunner two = ShardRunner.inMemory(weights, new LayerSelection(0, 1, List.of(32, 32), true, false), 32, 32);
        ShardRunner one = ShardRunner.inMemory(weights, new LayerSelection(2, 2, List.of(32), false, false), 32, 32)) {
      LayerStep step = two.runLayers(two.embed(new long[] {2, 3}, 0), 2, KvState.empty());
      assertThatThrownBy(() -> one.runLayers(step.hidden(), 2, step.present())).hasMessageContaining("KV state holds 2 layers");
    }
  }
}
