package io.dilemma.worker.model.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.MasterWeightsReader;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.profile.HopTimer;
import io.dilemma.worker.model.profile.ModelProfiler;
import io.dilemma.worker.model.profile.ProfileProgress;
import io.dilemma.worker.model.profile.ShapeOnlyProfiler;
import io.dilemma.worker.model.profile.TimingProfiler;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "profile",
    description = "Measure the model profile the planner reads (io.dilemma.contract.ModelProfile JSON).")
public final class ProfileCommand extends DilemmaCommand {
  @Option(names = "--model", description = "model directory (its 16/32-bit layers are the teacher)")
  Path model;

  @Option(names = "--shape-only", description = "profile a preset's shape without running it (KL and ΔPPL stay null)")
  String shapeOnlyPreset;

  @Option(names = "--out", required = true, description = "profile.json to write")
  Path out;

  @Option(names = "--bits", defaultValue = "2,3,4,8,16", description = "weight widths to measure per layer")
  String bits;

  @Option(names = "--rho", defaultValue = "0,0.25,0.5", split = ",", description = "cut ρ values to measure")
  List<Double> rhos;

  @Option(names = "--eval-tokens", defaultValue = "128", description = "length of the teacher-sampled evaluation text")
  int evalTokens;

  @Option(names = "--text", description = "score this UTF-8 text file instead of teacher-sampled text")
  Path textFile;

  @Option(names = "--additivity-samples", defaultValue = "4", description = "multi-layer quantizations measured whole, to check that per-layer losses add up (default ${DEFAULT-VALUE})")
  int additivitySamples;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the evaluation text and the additivity samples (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--timing", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "time every layer at each width, the LM head, the head's per-step work and a hop's CPU work on this machine, with the prober's MatMul figure beside them (needs --model; default on)")
  boolean timing;

  @Option(names = "--timing-prompt-tokens", defaultValue = "8", description = "prompt length of the timed prefill (default ${DEFAULT-VALUE})")
  int timingPromptTokens;

  @Option(names = "--timing-kv-tokens", defaultValue = "32", description = "KV length of the timed decode step: the workload's prompt + half its output (default ${DEFAULT-VALUE})")
  int timingKvTokens;

  @Option(names = "--timing-repeats", defaultValue = "9", description = "timed runs per figure, the median counts (default ${DEFAULT-VALUE})")
  int timingRepeats;

  @Option(names = "--timing-hop-steps", defaultValue = "300", description = "decode-step round trips timed through the serving runtime's gRPC stream to a second process; their mean counts (default ${DEFAULT-VALUE}; shard-worker binary only)")
  int timingHopSteps;

  private final HopTimer hopTimer;

  /** Without an RPC hop timer (the model toolkit alone): the profile has no measured round trip. */
  public ProfileCommand() {
    this(null);
  }

  public ProfileCommand(HopTimer hopTimer) {
    this.hopTimer = hopTimer;
  }

  @Override
  protected int execute() throws Exception {
    if ((model == null) == (shapeOnlyPreset == null)) {
      throw new IllegalArgumentException("give exactly one of --model DIR or --shape-only PRESET");
    }
    List<Integer> widths = BitList.parse(bits);
    long start = System.nanoTime();
    ProfileProgress progress = progressBar();
    ModelProfile profile;
    if (shapeOnlyPreset != null) {
      OptPreset preset = OptPreset.byName(shapeOnlyPreset);
      profile = new ShapeOnlyProfiler(preset.presetName(), preset.dimensions(), seed, widths, rhos).profile(progress);
    } else {
      ModelDirectory directory = ModelDirectory.open(model);
      OptWeights teacher = MasterWeightsReader.read(directory);
      long[] text = textFile == null ? null : tokens(directory, textFile, teacher.dimensions().maxPositions());
      ModelProfiler.Options options = new ModelProfiler.Options(widths, rhos, evalTokens, seed, text, additivitySamples);
      profile = new ModelProfiler(directory.manifest().model(), teacher, options).profile(progress);
      if (timing) {
        ModelProfile.MeasuredTiming timed = new TimingProfiler(widths, timingPromptTokens, timingKvTokens, timingRepeats).measure(model);
        if (hopTimer != null) {
          timed = timed.withHopRoundTrip(hopTimer.roundTripSeconds(directory.manifest().dimensions().hiddenSize(), timingHopSteps));
        }
        profile = profile.withTiming(timed);
      }
    }
    Files.writeString(out, ContractJson.write(profile));
    out().printf("wrote %s (%d layers, %d cuts) in %.1f s%n", out, profile.layers().size(), profile.cuts().size(), (System.nanoTime() - start) / 1e9);
    return ExitCode.OK;
  }

  private static long[] tokens(ModelDirectory directory, Path textFile, int maxPositions) throws Exception {
    BpeTokenizer tokenizer = directory.tokenizer();
    String text;
    try {
      text = Files.readString(textFile);
    } catch (java.io.IOException e) {
      throw new ModelException(textFile + ": cannot read the text file: " + e.getMessage());
    }
    long[] body = tokenizer.encode(text);
    if (body.length < 2) {
      throw new ModelException(textFile + ": needs at least 2 tokens of text");
    }
    List<Long> ids = new ArrayList<>();
    ids.add((long) tokenizer.idOf(BpeTokenizer.BEGIN_OF_SEQUENCE));
    Arrays.stream(body).limit(maxPositions - 1L).forEach(ids::add);
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private ProfileProgress progressBar() {
    return new ProfileProgress() {
      private ProgressBar bar;

      @Override
      public void start(int steps) {
        bar = new ProgressBar(err(), "profile", steps);
      }

      @Override
      public void step() {
        bar.step();
      }
    };
  }
}
