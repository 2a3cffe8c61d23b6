package io.dilemma.worker.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.serving.launch.LocalPipeline;
import io.dilemma.worker.serving.launch.LocalProbers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "probe-while-decoding",
    description = {
      "Decode tokens/s of a loopback pipeline while real prober processes probe each other, against no probing.",
      "Interleaved rounds of three arms: no probing, full probes (the probers see an idle node: the bulk transfer of",
      "--bulk-bytes / --bulk-seconds) and light probes (they see the pipeline's shards serving: --serving-bulk-bytes /",
      "--serving-bulk-seconds). Between their rounds the probers are stopped (SIGSTOP), so every arm runs on the same",
      "warm processes. Reports the per-round ratios to the no-probing round, the probers' CPU and the load average."
    })
public final class BenchProbeWhileDecodingCommand extends DilemmaCommand {
  /** A marker no process carries: the probers of the full arm see no shard, so the node looks idle. */
  static final String NO_SHARD = "no-process-carries-this-marker";
  /** The prober's own default markers, which the pipeline's shard processes carry: the node looks busy serving. */
  static final String SHARD_WORKER = null;

  enum Arm {
    NONE("no probing"), FULL("full probes"), LIGHT("light probes");

    final String label;

    Arm(String label) {
      this.label = label;
    }
  }

  @Mixin LoopbackPipelineOptions loopback;

  @Option(names = "--new-tokens", defaultValue = "96", description = "tokens generated per round (default ${DEFAULT-VALUE})")
  int newTokens;

  @Option(names = "--repeats", defaultValue = "6",
      description = "measured rounds, each one completion per arm, the arms' order rotating round by round, after one warm-up round (default ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--warmup-seconds", defaultValue = "90",
      description = "how long to exercise the freshly started shard and prober processes together before the first round (default ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--prober-jar", defaultValue = "shard-worker/prober/target/dilemma-prober.jar",
      description = "the prober's jar, as the DaemonSet runs it (default ${DEFAULT-VALUE}, from the repository root)")
  Path proberJar;

  @Option(names = "--probers", defaultValue = "0",
      description = "prober processes per probing arm, probing each other; 0: one per shard, as a DaemonSet on one node per shard (default ${DEFAULT-VALUE})")
  int probers;

  @Option(names = "--probe-interval", defaultValue = "PT1S",
      description = "the probers' --probe-interval, ISO-8601; the default probes back to back, 30 times the chart's rate (default ${DEFAULT-VALUE})")
  Duration probeInterval;

  @Option(names = "--prober-arg",
      description = "one more option for every prober, e.g. --prober-arg=--bulk-bytes=4194304; repeat for more")
  List<String> proberArgs = new ArrayList<>();

  private record Round(double tokensPerSecond, double proberCpuSeconds, double seconds, LocalProbers.Probes probes) {}

  @Override
  protected int execute() throws Exception {
    if (repeats < BenchPipelineCommand.MIN_ROUNDS_FOR_A_RATIO) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--repeats must be at least " + BenchPipelineCommand.MIN_ROUNDS_FOR_A_RATIO + " for a ratio on a shared machine, was " + repeats);
    }
    if (probers < 0 || probers == 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--probers must be 0 (one per shard) or at least 2, was " + probers);
    }
    PrintWriter out = out();
    Path dir = loopback.workDir("bench-probe-while-decoding");
    ModelDimensions dims = ModelDirectory.open(loopback.model()).manifest().dimensions();
    long[] prompt = loopback.randomPrompt(7, dims.vocabSize());
    int perArm = probers == 0 ? loopback.shards : probers;
    out.printf("%s: %d layers, d=%d, %d-bit weights; %d-shard loopback pipeline; prompt %d tokens, %d generated per round;"
            + " %d probers per probing arm, probe interval %s; load average %s%n",
        loopback.model(), dims.layers(), dims.hiddenSize(), loopback.weightBits, loopback.shards, loopback.promptTokens, newTokens,
        perArm, probeInterval, loadAverage());
    out.flush();
    LocalPipeline.Layout layout = loopback.layout(dims.layers(), CutQuantization.none(), new ServingLimits(1L << 30, 300, 60_000));
    try (LocalPipeline pipeline = LocalPipeline.launch(loopback.model(), layout, dir.resolve("pipeline"));
        LocalProbers full = LocalProbers.launch(proberJar, perArm, "full-", NO_SHARD, probeInterval, proberArgs, dir.resolve("probers"))) {
      full.pause();
      try (LocalProbers light = LocalProbers.launch(proberJar, perArm, "light-", SHARD_WORKER, probeInterval, proberArgs, dir.resolve("probers"))) {
        light.pause();
        Map<Arm, LocalProbers> probersOf = new EnumMap<>(Map.of(Arm.FULL, full, Arm.LIGHT, light));
        warmUp(pipeline, prompt, List.of(full, light));
        Map<Arm, List<Round>> rounds = new EnumMap<>(Arm.class);
        for (Arm arm : Arm.values()) rounds.put(arm, new ArrayList<>());
        Arm[] arms = Arm.values();
        for (int r = 0; r <= repeats; r++) {
          StringBuilder line = new StringBuilder(r == 0 ? "warm-up round:" : "round " + r + ":");
          Map<Arm, Round> thisRound = new EnumMap<>(Arm.class);
          for (int k = 0; k < arms.length; k++) {
            Arm arm = arms[(k + r) % arms.length];
            thisRound.put(arm, run(pipeline, prompt, probersOf.get(arm)));
          }
          for (Arm arm : arms) {
            Round round = thisRound.get(arm);
            line.append(String.format(Locale.ROOT, " %s %.2f tok/s", arm.label, round.tokensPerSecond()));
            if (arm != Arm.NONE) {
              line.append(String.format(Locale.ROOT, " (%.3f; %s, probers' CPU %.0f%% of a core)",
                  round.tokensPerSecond() / thisRound.get(Arm.NONE).tokensPerSecond(), describe(round.probes()),
                  100 * round.proberCpuSeconds() / round.seconds()));
            }
            line.append(';');
            if (r > 0) rounds.get(arm).add(round);
          }
          out.println(line.append(" load ").append(loadAverage()));
          out.flush();
        }
        for (Arm arm : List.of(Arm.FULL, Arm.LIGHT)) report(out, arm, rounds.get(Arm.NONE), rounds.get(arm));
      }
    }
    out.printf("load average after: %s; logs in %s%n", loadAverage(), dir);
    return 0;
  }

  /** One completion, the arm's probers running only while it decodes. */
  private Round run(LocalPipeline pipeline, long[] prompt, LocalProbers arm) throws IOException, InterruptedException {
    if (arm == null) {
      long start = System.nanoTime();
      JsonNode response = pipeline.complete(prompt, newTokens);
      return new Round(rate(response), 0, (System.nanoTime() - start) / 1e9, new LocalProbers.Probes(0, 0, 0));
    }
    LocalProbers.Probes before = arm.probes();
    Duration cpuBefore = arm.cpu();
    long start = System.nanoTime();
    arm.resume();
    JsonNode response;
    try {
      response = pipeline.complete(prompt, newTokens);
    } finally {
      arm.pause();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Round(rate(response), arm.cpu().minus(cpuBefore).toNanos() / 1e9, seconds, arm.probes().minus(before));
  }

  private static double rate(JsonNode response) {
    return response.at("/timing/decode_tokens_per_second").asDouble();
  }

  private static String describe(LocalProbers.Probes p) {
    return String.format(Locale.ROOT, "%d full + %d light probes, %.1f MB", p.full(), p.light(), p.bytes() / 1e6);
  }

  private void report(PrintWriter out, Arm arm, List<Round> none, List<Round> probed) {
    List<Double> ratios = new ArrayList<>();
    double bestNone = 0;
    double bestProbed = 0;
    double cpu = 0;
    double seconds = 0;
    LocalProbers.Probes probes = new LocalProbers.Probes(0, 0, 0);
    for (int i = 0; i < none.size(); i++) {
      ratios.add(probed.get(i).tokensPerSecond() / none.get(i).tokensPerSecond());
      bestNone = Math.max(bestNone, none.get(i).tokensPerSecond());
      bestProbed = Math.max(bestProbed, probed.get(i).tokensPerSecond());
      cpu += probed.get(i).proberCpuSeconds();
      seconds += probed.get(i).seconds();
      LocalProbers.Probes p = probed.get(i).probes();
      probes = new LocalProbers.Probes(probes.full() + p.full(), probes.light() + p.light(), probes.bytes() + p.bytes());
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    out.printf(Locale.ROOT, "%s during the decode: %.2f vs %.2f decode tokens/s, %s; median per-round ratio %.3f (slowdown %.1f%%);"
            + " %s in %.1f s of decoding, probers' CPU %.0f%% of one core%n",
        arm.label, bestProbed, bestNone, BenchPipelineCommand.ratio(bestProbed, bestNone, ratios), median, 100 * (1 - median),
        describe(probes), seconds, 100 * cpu / seconds);
    out.flush();
  }

  /**
   * Completions with every prober probing: the shards' RPC path and the probers' probe path both
   * get compiled before the first round, as in a cluster where both have run for hours (a fresh
   * prober spends more CPU in its JIT compiler than in its probes for its first minutes).
   */
  private void warmUp(LocalPipeline pipeline, long[] prompt, List<LocalProbers> probers) throws IOException, InterruptedException {
    for (LocalProbers p : probers) p.resume();
    try {
      long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
      do {
        pipeline.complete(prompt, newTokens);
      } while (System.nanoTime() < end);
    } finally {
      for (LocalProbers p : probers) p.pause();
    }
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
