package io.dilemma.worker.serving.it;

import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A synthesised opt-tiny in target/, written once per test JVM, and its single-process reference. */
public final class TinyModel {
  public static final int LAYERS = OptPreset.OPT_TINY.dimensions().layers();
  public static final int HIDDEN = OptPreset.OPT_TINY.dimensions().hiddenSize();
  private static Path dir;

  private TinyModel() {}

  public static synchronized Path dir() throws Exception {
    if (dir == null) {
      Path target = Files.createTempDirectory(Path.of("target"), "opt-tiny-");
      ModelSynthesis.write(target, "opt-tiny", OptPreset.OPT_TINY.dimensions(), 1, List.of(32), layer -> {});
      dir = target.toAbsolutePath();
    }
    return dir;
  }

  /** Greedy continuation of {@code prompt} by the whole model in this process. */
  static long[] reference(long[] prompt, int newTokens) throws Exception {
    try (ShardRunner whole = ShardRunner.open(dir(), LayerSelection.wholeModel(LAYERS, 32))) {
      return Generation.generate(new ShardDecoder(whole), prompt, newTokens, TokenSampler.greedy()).tokens();
    }
  }

  public static long[] prompt(long seed, int length) {
    return new java.util.SplittableRandom(seed).longs(length, 4, OptPreset.OPT_TINY.dimensions().vocabSize()).toArray();
  }
}
