package io.dilemma.worker.model.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.format.ModelPacker;
import io.dilemma.worker.model.format.ShardManifest;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "pack",
    description = {
      "Re-pack a model's layers at per-layer bit widths (2, 3, 4, 8, 16 = fp16, 32 = fp32).",
      "The model directory must hold 16- or 32-bit master layers."
    })
public final class PackCommand extends DilemmaCommand {
  @Mixin ModelDirectoryOption model;

  @Option(names = "--bits", required = true, description = "one width per layer (4,4,8,…) or one width for all")
  String bits;

  @Option(names = "--head-bits", description = "bit width of the LM head (default: unchanged, or 32 with --out)")
  Integer headBits;

  @Option(names = "--embedding-bits", description = "16 or 32 (default: unchanged, or 32 with --out)")
  Integer embeddingBits;

  @Option(names = "--out", description = "write a new directory with only these widths (default: add them in place)")
  Path out;

  @Override
  protected int execute() throws Exception {
    ModelDirectory directory = ModelDirectory.open(model.path());
    int layers = directory.manifest().dimensions().layers();
    List<Integer> perLayer = BitList.perLayer(bits, layers);
    ProgressBar progress = new ProgressBar(err(), "pack", layers);
    ShardManifest manifest =
        out == null
            ? ModelPacker.packInPlace(directory, perLayer, headBits, embeddingBits, layer -> progress.step())
            : ModelPacker.packInto(directory, out, perLayer, embeddingBits == null ? 32 : embeddingBits, headBits == null ? 32 : headBits, layer -> progress.step());
    progress.done();
    out().printf("packed %d layers at %s into %s (head %d bits)%n", layers, perLayer, out == null ? model.path() : out, manifest.head().bits());
    return ExitCode.OK;
  }
}
