package io.dilemma.worker.cli.bench;

import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.cli.ModelDirectoryOption;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The loopback pipeline a benchmark launches and the prompts it sends, declared once for every such benchmark. */
final class LoopbackPipelineOptions {
  @Mixin ModelDirectoryOption model;

  @Option(names = "--shards", defaultValue = "3", description = "shard-worker processes in the pipeline (default ${DEFAULT-VALUE})")
  int shards;

  @Option(names = "--weight-bits", defaultValue = "32", description = "weight bits of every layer (must exist in the model directory; default ${DEFAULT-VALUE})")
  int weightBits;

  @Option(names = "--prompt-tokens", defaultValue = "32", description = "random prompt length in tokens (default ${DEFAULT-VALUE})")
  int promptTokens;

  @Option(names = "--work-dir", description = "where shard plans and logs go (default: a temp dir)")
  private Path workDir;

  Path model() {
    return model.path();
  }

  Path workDir(String tempPrefix) throws IOException {
    return workDir != null ? workDir : Files.createTempDirectory(tempPrefix);
  }

  /** {@code --shards} processes over {@code layers} layers at {@code --weight-bits}, tokens kept on the origin. */
  LocalPipeline.Layout layout(int layers, CutQuantization cut, ServingLimits limits) {
    return new LocalPipeline.Layout(shards, layers, weightBits, cut, true, limits);
  }

  /** {@code --prompt-tokens} random token ids below {@code vocab}, past the special ones. */
  long[] randomPrompt(long seed, int vocab) {
    return new SplittableRandom(seed).longs(promptTokens, 4, vocab).toArray();
  }
}
