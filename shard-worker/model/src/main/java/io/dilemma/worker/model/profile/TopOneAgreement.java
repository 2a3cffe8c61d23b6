package io.dilemma.worker.model.profile;

import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.weights.OptWeights;

/**
 * How often a model with every layer (and the LM head) at b bits picks the same next token as the
 * fp32 teacher, over text the teacher sampled.
 */
public final class TopOneAgreement {
  private TopOneAgreement() {}

  /** Tokens sampled from the fp32 model at temperature 1, starting from {@code </s>}. */
  public static long[] teacherText(ShardRunner teacher, int length, long seed) {
    TokenSampler sampler = new TokenSampler(1.0, seed);
    ShardDecoder decoder = new ShardDecoder(teacher);
    long[] text = new long[length];
    text[0] = 2;
    for (int t = 0; t + 1 < length; t++) {
      text[t + 1] = sampler.sample(decoder.feed(new long[] {text[t]}));
    }
    return text;
  }

  /** Share of the {@code positions} next-token predictions (one per text token) on which both agree. */
  public static double measure(OptWeights weights, int bits, int positions, long seed) {
    int layers = weights.dimensions().layers();
    int vocab = weights.dimensions().vocabSize();
    try (ShardRunner teacher = ShardRunner.inMemory(weights, LayerSelection.wholeModel(layers, 32), 32, 32);
        ShardRunner student = ShardRunner.inMemory(weights, LayerSelection.wholeModel(layers, bits), 32, bits)) {
      long[] text = teacherText(teacher, positions, seed);
      float[] teacherLogits = logits(teacher, text);
      float[] studentLogits = logits(student, text);
      return QualityMeter.topOneAgreement(teacherLogits, studentLogits, vocab);
    }
  }

  private static float[] logits(ShardRunner runner, long[] text) {
    float[] hidden = runner.embed(text, 0);
    return runner.lmHead(runner.runLayers(hidden, text.length, KvState.empty()).hidden(), text.length);
  }
}
