package io.dilemma.worker.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.ArrayList;
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
      assertThat(runner.decodesInABatchDimension()).as("the graphs built today have a batch dimension").isTrue();
      KvState[] pasts = new KvState[prompts.length];
      float[][] hidden = new float[prompts.length][];
      LayerStep[] alone = new LayerStep[prompts.length];
      for (int b = 0; b < prompts.length; b++) {
        pasts[b] = runner.runLayers(runner.embed(prompts[b], 0), prompts[b].length, KvState.empty()).present();
        hidden[b] = runner.embed(new long[] {next[b]}, prompts[b].length);
        alone[b] = runner.runLayers(hidden[b], 1, pasts[b]);
      }
      // every past was extended alone first, so the batch works on copies of the pasts' rows
      LayerStep[] batched = runner.runLayersBatch(hidden, pasts);
      for (int b = 0; b < prompts.length; b++) {
        assertThat(batched[b].present().length()).isEqualTo(prompts[b].length + 1);
        for (int i = 0; i < hidden[b].length; i++) {
          assertThat(batched[b].hidden()[i]).as("session %d value %d", b, i).isCloseTo(alone[b].hidden()[i], Offset.offset(1e-5f));
        }
        assertThat(batched[b].attentionReceived()[0]).isCloseTo(alone[b].attentionReceived()[0], Offset.offset(1e-5f));
        LayerKvCache batchedCache = (LayerKvCache) batched[b].present();
        LayerKvCache aloneCache = (LayerKvCache) alone[b].present();
        for (int layer = 0; layer < 4; layer++) {
          assertClose(batchedCache.keys(layer), aloneCache.keys(layer), "session " + b + " keys of layer " + layer);
          assertClose(batchedCache.values(layer), aloneCache.values(layer), "session " + b + " values of layer " + layer);
        }
      }
      // the next step of one session from its batched cache continues as it would have alone
      LayerStep after = runner.runLayers(runner.embed(new long[] {3}, prompts[1].length + 1), 1, batched[1].present());
      LayerStep afterAlone = runner.runLayers(runner.embed(new long[] {3}, prompts[1].length + 1), 1, alone[1].present());
      assertClose(after.hidden(), afterAlone.hidden(), "the step after");
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

  /**
   * Continuous batching as the serving runtime does it, sessions joining and leaving between
   * steps, each cache appended in place step after step: every session's logits and greedy tokens
   * are those of recomputing its whole sequence at each step, without a cache. A new row written
   * one position off shifts every later attention and fails this.
   */
  @Test
  void sessionsJoiningAndLeavingABatchDecodeTheTokensOfRecomputingEachAlone() {
    long[][] prompts = {{2, 40, 41}, {2, 50, 51, 52, 53, 54, 55}, {2, 60}, {2, 70, 71, 72, 73}};
    int[] joinsAt = {0, 0, 3, 5};
    int[] steps = {14, 6, 10, 9};
    try (ShardRunner runner = ShardRunner.inMemory(weights, new LayerSelection(0, 3, List.of(32, 32, 32, 32), true, true), 32, 32)) {
      List<List<Long>> aloneTokens = new ArrayList<>();
      List<List<float[]>> aloneLogits = new ArrayList<>();
      for (long[] prompt : prompts) {
        List<Long> tokens = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        long[] sequence = prompt;
        long token = argmax(lastLogits(runner, sequence));
        for (int t = 0; t < 14; t++) {
          sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
          sequence[sequence.length - 1] = token;
          float[] l = lastLogits(runner, sequence);
          logits.add(l);
          token = argmax(l);
          tokens.add(token);
        }
        aloneTokens.add(tokens);
        aloneLogits.add(logits);
      }

      KvState[] kv = new KvState[prompts.length];
      long[] last = new long[prompts.length];
      int[] done = new int[prompts.length];
      for (int round = 0; ; round++) {
        List<Integer> batch = new ArrayList<>();
        for (int s = 0; s < prompts.length; s++) {
          if (round == joinsAt[s]) {
            LayerStep prefill = runner.runLayers(runner.embed(prompts[s], 0), prompts[s].length, KvState.empty());
            kv[s] = prefill.present();
            last[s] = argmax(runner.lmHeadLastToken(prefill.hidden(), prompts[s].length));
          }
          if (round >= joinsAt[s] && done[s] < steps[s]) {
            batch.add(s);
          }
        }
        if (batch.isEmpty() && round > 5) {
          break;
        }
        if (batch.isEmpty()) {
          continue;
        }
        float[][] hidden = new float[batch.size()][];
        KvState[] pasts = new KvState[batch.size()];
        for (int b = 0; b < batch.size(); b++) {
          int s = batch.get(b);
          hidden[b] = runner.embed(new long[] {last[s]}, prompts[s].length + done[s]);
          pasts[b] = kv[s];
        }
        LayerStep[] results = runner.runLayersBatch(hidden, pasts);
        for (int b = 0; b < batch.size(); b++) {
          int s = batch.get(b);
          kv[s] = results[b].present();
          float[] logits = runner.lmHeadLastToken(results[b].hidden(), 1);
          assertClose(logits, aloneLogits.get(s).get(done[s]), "session " + s + " step " + done[s]);
          last[s] = argmax(logits);
          assertThat(last[s]).as("session %d token %d", s, done[s]).isEqualTo(aloneTokens.get(s).get(done[s]));
          done[s]++;
        }
      }
      assertThat(done).containsExactly(steps);
    }
  }

  /** Logits after the last token of {@code sequence}, from one pass over all of it (no cache). */
  private static float[] lastLogits(ShardRunner runner, long[] sequence) {
    LayerStep whole = runner.runLayers(runner.embed(sequence, 0), sequence.length, KvState.empty());
    return runner.lmHeadLastToken(whole.hidden(), sequence.length);
  }

  private static long argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("%s, value %d", what, i).isCloseTo(expected[i], Offset.offset(1e-4f));
    }
  }
}
