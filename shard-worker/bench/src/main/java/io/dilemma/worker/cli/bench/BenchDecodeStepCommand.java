package io.dilemma.worker.cli.bench;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.worker.model.cli.ModelDirectoryOption;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.LayerStep;
import io.dilemma.worker.model.runtime.ShardRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "decode-step",
    description = {
      "Time of one batched decode step through one shard's layers, in process, at several numbers of concurrent sessions.",
      "Session counts take turns round by round, so each sees the same machine load.",
      "With --against, a second model directory (e.g. one of an older format) takes turns with --model in the same process, and the ratio of their steps is printed."
    })
public final class BenchDecodeStepCommand extends DilemmaCommand {
  @Mixin ModelDirectoryOption model;

  @Option(names = "--layers", defaultValue = "0-3", description = "the shard's layers, FIRST-LAST (default ${DEFAULT-VALUE}: a third of OPT-125m, as in the 3-process pipeline)")
  String layers;

  @Option(names = "--weight-bits", defaultValue = "32", description = "weight bits of every layer (must exist in the model directory; default ${DEFAULT-VALUE})")
  int weightBits;

  @Option(names = "--sessions", defaultValue = "1,2,4,8,16,32", description = "concurrent sessions to measure (default ${DEFAULT-VALUE})")
  String sessions;

  @Option(names = "--prompt-tokens", defaultValue = "32", description = "each session's past before the first timed step (default ${DEFAULT-VALUE})")
  int promptTokens;

  @Option(names = "--steps", defaultValue = "48", description = "timed decode steps per round, each session's past growing by one per step (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--rounds", defaultValue = "3", description = "rounds over all session counts (default ${DEFAULT-VALUE}); the median step of all rounds counts")
  int rounds;

  @Option(names = "--against", description = "a second model directory of the same model, measured in alternation with --model in this process")
  Path against;

  @Override
  protected int execute() throws Exception {
    int[] counts = Arrays.stream(sessions.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    String[] range = layers.split("-");
    if (range.length != 2 || steps < 1 || rounds < 1 || promptTokens < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--layers must be FIRST-LAST; --steps, --rounds and --prompt-tokens positive");
    }
    int first = Integer.parseInt(range[0].trim());
    int last = Integer.parseInt(range[1].trim());
    ModelDimensions dims = ModelDirectory.open(model.path()).manifest().dimensions();
    LayerSelection selection = new LayerSelection(first, last, Collections.nCopies(last - first + 1, weightBits), false, false);
    PrintWriter out = out();
    List<Path> models = against == null ? List.of(model.path()) : List.of(model.path(), against);
    List<ShardRunner> runners = new ArrayList<>();
    try {
      for (Path m : models) {
        runners.add(ShardRunner.open(m, selection));
        if (!runners.get(runners.size() - 1).dimensions().equals(dims)) {
          throw new CommandLine.ParameterException(spec.commandLine(), m + ": --against must be the same model as --model (its dimensions differ)");
        }
      }
      // millis.get(m).get(i): model m's steps at counts[i]
      List<List<List<Double>>> millis = new ArrayList<>();
      for (ShardRunner runner : runners) {
        round(runner, dims, 4, new ArrayList<>()); // warm-up: ONNX Runtime's first runs allocate
        List<List<Double>> perCount = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
          perCount.add(new ArrayList<>());
        }
        millis.add(perCount);
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < counts.length; i++) {
          for (int turn = 0; turn < runners.size(); turn++) {
            int m = r % 2 == 0 ? turn : runners.size() - 1 - turn; // who goes first alternates
            round(runners.get(m), dims, counts[i], millis.get(m).get(i));
          }
        }
      }
      for (int m = 0; m < runners.size(); m++) {
        out.printf("%s (%s), layers %d-%d at %d bits, past %d..%d positions per session, %d steps × %d rounds%n",
            models.get(m), runners.get(m).decodesInABatchDimension() ? "sessions in the batch dimension" : "sessions side by side",
            first, last, weightBits, promptTokens, promptTokens + steps - 1, steps, rounds);
        out.println("sessions | median ms per step | × one session | decode tok/s | × one session");
        List<List<Double>> own = millis.get(m);
        double one = median(own.get(0)) / counts[0];
        for (int i = 0; i < counts.length; i++) {
          double step = median(own.get(i));
          out.printf("%d | %.2f | %.2f | %.1f | %.2f%n", counts[i], step, step / median(own.get(0)), counts[i] * 1000 / step, one * counts[i] / step);
        }
      }
      if (runners.size() == 2) {
        out.println("sessions | median step, --model ÷ --against");
        for (int i = 0; i < counts.length; i++) {
          out.printf("%d | %.2f%n", counts[i], median(millis.get(0).get(i)) / median(millis.get(1).get(i)));
        }
      }
    } finally {
      runners.forEach(ShardRunner::close);
    }
    return ExitCode.OK;
  }

  /** {@code count} sessions prefilled, then {@code steps} batched decode steps, each timed into {@code millis}. */
  private void round(ShardRunner runner, ModelDimensions dims, int count, List<Double> millis) {
    SplittableRandom random = new SplittableRandom(count);
    int d = dims.hiddenSize();
    KvState[] kv = new KvState[count];
    for (int s = 0; s < count; s++) {
      kv[s] = runner.runLayers(hidden(random, promptTokens * d), promptTokens, KvState.empty()).present();
    }
    for (int t = 0; t < steps; t++) {
      float[][] hidden = new float[count][];
      for (int s = 0; s < count; s++) {
        hidden[s] = hidden(random, d);
      }
      long begin = System.nanoTime();
      LayerStep[] results = runner.runLayersBatch(hidden, kv);
      millis.add((System.nanoTime() - begin) / 1e6);
      for (int s = 0; s < count; s++) {
        kv[s] = results[s].present();
      }
    }
  }

  private static float[] hidden(SplittableRandom random, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
