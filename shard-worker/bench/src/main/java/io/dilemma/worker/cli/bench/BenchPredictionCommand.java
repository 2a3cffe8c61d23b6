package io.dilemma.worker.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planinput.ProfileFile;
import io.dilemma.planner.Assignment;
import io.dilemma.planner.Cluster;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.CostModel;
import io.dilemma.planner.CutPrecision;
import io.dilemma.planner.Link;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.PlanEvaluator;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.Tier;
import io.dilemma.planner.Workload;
import io.dilemma.prober.measure.MemoryBandwidthBenchmark;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.runtime.MatMulBenchmark;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "prediction",
    description = {
      "Predicted completion time (the planner's evaluator) against the measured median, in one run.",
      "Runs loopback pipelines of 1, 2, 3, ... shard-worker processes; each process is a node whose MatMul and",
      "memory-bandwidth figures are measured here by the prober's benchmarks. Prints the roofline's prediction",
      "(the profile without its measured times) beside the measured-times prediction. The node's MatMul figure is",
      "the median of one sample before the layout's requests and one after each measured request: on a shared",
      "machine a single sample caught a burst of other load and swung the figure threefold."
    })
public final class BenchPredictionCommand extends DilemmaCommand {
  @Mixin LoopbackPipelineOptions loopback;

  @Option(names = "--profile", required = true, description = "profile.json of the model, from `shard-worker profile` (with its timing)")
  Path profile;

  @Option(names = "--processes", defaultValue = "1,2,3", split = ",", description = "pipeline lengths to run (default ${DEFAULT-VALUE})")
  List<Integer> processes;

  @Option(names = "--new-tokens", defaultValue = "48", description = "tokens generated per request (default ${DEFAULT-VALUE})")
  int newTokens;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of 8-bit tokens at each 8/4 cut (default ${DEFAULT-VALUE})")
  double rho;

  @Option(names = "--requests", defaultValue = "7", description = "measured requests per layout; the median counts (default ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--warmup-requests", defaultValue = "5", description = "requests before measuring, so the JIT has compiled the path (default ${DEFAULT-VALUE})")
  int warmupRequests;

  @Option(names = "--link-latency-us", defaultValue = "50", description = "one-way loopback latency the cluster is priced with (default ${DEFAULT-VALUE})")
  double linkLatencyMicros;

  @Override
  protected int execute() throws Exception {
    PrintWriter out = out();
    ModelProfile measuredProfile = ProfileFile.read(profile);
    if (measuredProfile.timing() == null) {
      throw new IllegalArgumentException(profile + ": timing: missing; profile with `shard-worker profile` (timing is on by default)");
    }
    int layers = ModelDirectory.open(loopback.model()).manifest().dimensions().layers();
    int vocab = ModelDirectory.open(loopback.model()).manifest().dimensions().vocabSize();
    long[] prompt = loopback.randomPrompt(7, vocab);
    List<Integer> bits = List.of(loopback.weightBits);
    ModelCosts timed = ModelCostsFromProfile.toModelCosts(measuredProfile, QualityMetric.NORMALIZED_ERROR, bits, List.of(rho));
    ModelCosts roofline = ModelCostsFromProfile.toModelCosts(measuredProfile.withTiming(null), QualityMetric.NORMALIZED_ERROR, bits, List.of(rho));

    out.printf(Locale.ROOT, "%s: %d layers at %d bits, prompt %d → %d tokens, cuts 8/4 at ρ %.2f, median of %d requests after %d warm-up; load %s%n",
        loopback.model(), layers, loopback.weightBits, loopback.promptTokens, newTokens, rho, requests, warmupRequests, load());
    ModelProfile.MeasuredTiming timing = measuredProfile.timing();
    out.printf(Locale.ROOT, "profile: a cut's round trip %s, its in-process part %.0f µs, the head's step work %.0f µs (at %.1f GFLOP/s)%n",
        timing.hopRoundTripSeconds() == null ? "not measured" : String.format(Locale.ROOT, "%.2f ms", timing.hopRoundTripSeconds() * 1e3),
        timing.hopOverheadSeconds() * 1e6, timing.stepOverheadSeconds() * 1e6, timing.referenceFlopsPerSecond() / 1e9);
    out.printf(Locale.ROOT, "%-10s %12s %12s %12s %12s %12s%n", "processes", "measured", "roofline", "ratio", "measured-t", "ratio");
    out.flush();
    for (int n : processes) {
      // the node figures of this run, measured as the prober measures a node: before the layout and between its requests
      List<Double> flopsSamples = new ArrayList<>(List.of(MatMulBenchmark.asPublished().flopsPerSecond()));
      double bandwidth = new MemoryBandwidthBenchmark(256L << 20, 3, Runtime.getRuntime().availableProcessors()).bytesPerSecond();
      List<Double> seconds = new ArrayList<>();
      List<Double> firstToken = new ArrayList<>();
      List<Double> stepOverhead = new ArrayList<>();
      int generated;
      CutQuantization cut = new CutQuantization(rho, 8, 4);
      LocalPipeline.Layout layout = new LocalPipeline.Layout(n, layers, loopback.weightBits, cut, true, new ServingLimits(1L << 30, 300, 60_000));
      try (LocalPipeline pipeline = LocalPipeline.launch(loopback.model(), layout, loopback.workDir("bench-prediction").resolve("p" + n))) {
        for (int i = 0; i < warmupRequests; i++) pipeline.complete(prompt, newTokens);
        generated = newTokens;
        for (int i = 0; i < requests; i++) {
          long start = System.nanoTime();
          JsonNode response = pipeline.complete(prompt, newTokens);
          seconds.add((System.nanoTime() - start) / 1e9);
          generated = Math.min(generated, response.at("/choices/0/tokens").size());
          firstToken.add(response.at("/timing/time_to_first_token_ms").asDouble());
          stepOverhead.add(response.at("/timing/decode_overhead_us_per_step").asDouble());
          flopsSamples.add(MatMulBenchmark.asPublished().flopsPerSecond());
        }
      }
      double measured = median(seconds);
      double flops = median(flopsSamples);
      double before = predicted(roofline, n, layers, flops, bandwidth, generated);
      double after = predicted(timed, n, layers, flops, bandwidth, generated);
      out.printf(Locale.ROOT, "%-10d %10.3f s %10.3f s %12.2f %10.3f s %12.2f   (%d tokens; node %.1f GFLOP/s, samples %.0f–%.0f; %.1f GB/s; "
              + "head's median first token %.0f ms, decode step beyond compute and codec %.0f µs; load %s)%n",
          n, measured, before, measured / before, after, measured / after, generated, flops / 1e9,
          Collections.min(flopsSamples) / 1e9, Collections.max(flopsSamples) / 1e9, bandwidth / 1e9,
          median(firstToken), median(stepOverhead), load());
      out.flush();
    }
    return 0;
  }

  /** The evaluator's T_total for layers split evenly over n nodes as {@link LocalPipeline} splits them. */
  private double predicted(ModelCosts model, int n, int layers, double flops, double bandwidth, int generated) {
    List<ComputeNode> nodes = new ArrayList<>();
    List<Link> links = new ArrayList<>();
    for (int k = 0; k < n; k++) nodes.add(new ComputeNode("process-" + k, flops, bandwidth, Long.MAX_VALUE / 4, Tier.EDGE));
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        if (a != b) links.add(new Link("process-" + a, "process-" + b, 1e9, linkLatencyMicros / 1e6));
      }
    }
    PlanningProblem problem =
        new PlanningProblem(
            "bench-prediction",
            model,
            new Cluster(nodes, links, "process-0"),
            new Workload(loopback.promptTokens, generated),
            Double.MAX_VALUE,
            new PlanningOptions(List.of(loopback.weightBits), List.of(rho), CutPrecision.TOKEN_ADAPTIVE, true, Duration.ofSeconds(1), null));
    int[] nodeOf = new int[layers];
    int[] cutRho = new int[layers];
    for (int k = 0; k < n; k++) {
      for (int i = k * layers / n; i <= (k + 1) * layers / n - 1; i++) nodeOf[i] = k;
    }
    for (int c = -1; c < layers - 1; c++) {
      int from = c < 0 ? 0 : nodeOf[c];
      cutRho[c + 1] = from == nodeOf[c + 1] ? -1 : 0;
    }
    Assignment assignment = new Assignment(nodeOf, new int[layers], cutRho);
    return PlanEvaluator.evaluate(new CostModel(problem), assignment).time().totalSeconds();
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  private static String load() {
    return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
