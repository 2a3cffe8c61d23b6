package io.dilemma.worker.model.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.format.ShardManifest;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "synth",
    description = "Write an OPT-architecture model with deterministic seeded weights and a small BPE tokenizer.")
public final class SynthCommand extends DilemmaCommand {
  @Option(names = "--preset", defaultValue = "opt-tiny", description = "opt-tiny, opt-125m, opt-350m (opt-6.7b is for --shape-only profiling)")
  String preset;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the random weights; the same seed writes the same model (default ${DEFAULT-VALUE})")
  long seed;

  @Mixin WrittenModelOptions written;

  @Option(names = "--layers", description = "override the preset's layer count")
  Integer layers;

  @Option(names = "--vocab", description = "override the preset's vocabulary size")
  Integer vocab;

  @Override
  protected int execute() throws Exception {
    ModelDimensions base = OptPreset.byName(preset).dimensions();
    ModelDimensions dims =
        new ModelDimensions(
            layers == null ? base.layers() : layers,
            base.hiddenSize(),
            base.wordEmbedDim(),
            base.heads(),
            base.ffnSize(),
            vocab == null ? base.vocabSize() : vocab,
            base.maxPositions(),
            base.preLayerNorm());
    List<Integer> variants = written.widths();
    long start = System.nanoTime();
    ProgressBar progress = new ProgressBar(err(), "synth " + preset, dims.layers());
    ShardManifest manifest = ModelSynthesis.write(written.out, preset, dims, seed, variants, layer -> progress.step());
    progress.done();
    out().printf(
        "wrote %s (%d layers, d=%d, vocab=%d, bits %s) to %s in %.1f s%n",
        manifest.model(), dims.layers(), dims.hiddenSize(), dims.vocabSize(), variants, written.out, (System.nanoTime() - start) / 1e9);
    return ExitCode.OK;
  }
}
