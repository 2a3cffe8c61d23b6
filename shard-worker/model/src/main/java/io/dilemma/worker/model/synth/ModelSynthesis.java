package io.dilemma.worker.model.synth;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.format.ModelDirectoryWriter;
import io.dilemma.worker.model.format.ShardManifest;
import io.dilemma.worker.model.tokenizer.BpeTrainer;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import io.dilemma.worker.model.weights.OptWeights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;

/** Writes a synthesised model directory: seeded weights, a small BPE tokenizer, the graphs. */
public final class ModelSynthesis {
  /** Merges are learned from a built-in English text, so the vocabulary stops well short of OPT's. */
  static final int MAX_TOKENIZER_VOCAB = 2048;

  private ModelSynthesis() {}

  public static ShardManifest write(
      Path dir, String name, ModelDimensions dims, long seed, List<Integer> variants, IntConsumer progress)
      throws IOException {
    OptWeights weights = new WeightSynthesizer(seed).synthesize(dims);
    Files.createDirectories(dir);
    TokenizerFiles tokenizer =
        BpeTrainer.write(BpeTrainer.train(builtInCorpus(), Math.min(dims.vocabSize(), MAX_TOKENIZER_VOCAB)), dir);
    int masterBits = variants.stream().mapToInt(Integer::intValue).max().orElseThrow();
    int embeddingBits = masterBits >= 32 ? 32 : 16;
    return ModelDirectoryWriter.write(
        dir, name, weights, Collections.nCopies(dims.layers(), variants), embeddingBits, masterBits, tokenizer, progress);
  }

  /** The text the synthetic tokenizer is trained on, also a default prompt source. */
  public static String builtInCorpus() {
    try (InputStream in = ModelSynthesis.class.getResourceAsStream("/io/dilemma/worker/model/tokenizer/corpus.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
