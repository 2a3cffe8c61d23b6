package io.dilemma.worker.model.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    description = "Generate text in one process through the per-layer graphs, with a KV cache; prints tokens/s.")
public final class GenerateCommand extends DilemmaCommand {
  @Mixin ModelDirectoryOption model;

  @Mixin LoadedBitsOption bits;

  @ArgGroup(multiplicity = "1")
  Prompt prompt;

  static final class Prompt {
    @Option(names = "--prompt", description = "prompt text (needs the model's tokenizer)")
    String text;

    @Option(names = "--tokens", split = ",", description = "prompt token ids, e.g. 2,100,37")
    long[] ids;
  }

  @Option(names = "--max-tokens", defaultValue = "32", description = "tokens to generate after the prompt (default ${DEFAULT-VALUE})")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy")
  double temperature;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the sampler when --temperature > 0 (default ${DEFAULT-VALUE})")
  long seed;

  @Override
  protected int execute() throws Exception {
    ModelDirectory directory = ModelDirectory.open(model.path());
    int layers = directory.manifest().dimensions().layers();
    List<Integer> perLayer = bits.perLayer(directory);
    BpeTokenizer tokenizer = prompt.text == null ? null : directory.tokenizer();
    long[] ids = prompt.ids != null ? prompt.ids : withBeginOfSequence(tokenizer, prompt.text);
    try (ShardRunner runner = ShardRunner.open(model.path(), new LayerSelection(0, layers - 1, perLayer, true, true))) {
      Generation.Result result =
          Generation.generate(new ShardDecoder(runner), ids, maxTokens, new TokenSampler(temperature, seed));
      if (tokenizer != null) {
        out().println(prompt.text + tokenizer.decode(result.tokens()));
      }
      out().println("tokens: " + Arrays.stream(result.tokens()).mapToObj(Long::toString).collect(Collectors.joining(",")));
      out().printf(
          "prefill %d tokens in %.1f ms; decode %.1f tokens/s%n",
          ids.length, result.prefillNanos() / 1e6, result.decodeTokensPerSecond());
    }
    return ExitCode.OK;
  }

  private static long[] withBeginOfSequence(BpeTokenizer tokenizer, String text) {
    long[] body = tokenizer.encode(text);
    long[] ids = new long[body.length + 1];
    ids[0] = tokenizer.idOf(BpeTokenizer.BEGIN_OF_SEQUENCE);
    System.arraycopy(body, 0, ids, 1, body.length);
    return ids;
  }
}
