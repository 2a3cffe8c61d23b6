package io.dilemma.worker.cli.bench;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.model.bench.DecodeSpeed;
import io.dilemma.worker.model.bench.ResidentMemoryProbe;
import io.dilemma.worker.model.cli.BitList;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.format.ModelPacker;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.runtime.WholeModelDecoder;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "model",
    description = "Decode tokens/s through per-layer graphs vs one whole-model graph, per bit width; optionally resident memory.")
public final class BenchModelCommand extends DilemmaCommand {
  @Option(names = "--preset", defaultValue = "opt-125m", description = "model shape to synthesise and measure: opt-tiny, opt-125m or opt-350m (default ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--bits", defaultValue = "32,8,4", description = "weight bit widths to measure, comma separated (default ${DEFAULT-VALUE})")
  String bits;

  @Option(names = "--tokens", defaultValue = "64", description = "decode steps per measurement")
  int tokens;

  @Option(names = "--rounds", defaultValue = "3", description = "measurements per configuration; the best counts")
  int rounds;

  @Option(names = "--memory", description = "also measure each width's resident memory in a child JVM (writes the model to a temp dir)")
  boolean memory;

  @Override
  protected int execute() throws Exception {
    OptPreset shape = OptPreset.byName(preset);
    OptWeights weights = new WeightSynthesizer(1).synthesize(shape.dimensions());
    int layers = shape.dimensions().layers();
    long[] prompt = {2, 100, 200, 300, 400, 500, 600, 700};
    out().printf("%-6s %14s %14s %7s%s%n", "bits", "per-layer t/s", "whole t/s", "ratio", memory ? "      RSS MiB" : "");
    Path dir = memory ? Files.createTempDirectory("bench-model") : null;
    if (memory) {
      ModelSynthesis.write(dir, preset, shape.dimensions(), 1, List.of(32), l -> {});
    }
    for (int b : BitList.parse(bits)) {
      int headBits = b;
      LayerSelection all = LayerSelection.wholeModel(layers, b);
      DecodeSpeed.Pair speed;
      try (ShardRunner runner = ShardRunner.inMemory(weights, all, 32, headBits);
          WholeModelDecoder whole = wholeModel(weights, b, headBits)) {
        speed = DecodeSpeed.compare(() -> new ShardDecoder(runner), () -> whole.restart(), prompt, tokens, rounds);
      }
      String rss = "";
      if (memory) {
        // A quantized worker keeps its token table in fp16; the fp32 worker keeps everything in fp32.
        ModelPacker.packInPlace(ModelDirectory.open(dir), Collections.nCopies(layers, b), headBits, b == 32 ? 32 : 16, l -> {});
        rss = String.format(" %12.0f", ResidentMemoryProbe.measure(dir, b, layers) / 1048576.0);
      }
      out().printf("%-6d %14.1f %14.1f %7.2f%s%n", b, speed.first(), speed.second(), speed.ratio(), rss);
      out().flush();
    }
    return ExitCode.OK;
  }

  private static WholeModelDecoder wholeModel(OptWeights weights, int bits, int headBits) {
    try {
      return new WholeModelDecoder(weights, bits, 32, headBits);
    } catch (ai.onnxruntime.OrtException e) {
      throw new IllegalStateException("whole-model graph rejected: " + e.getMessage(), e);
    }
  }
}
