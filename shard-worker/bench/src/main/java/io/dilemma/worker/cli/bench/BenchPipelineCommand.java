package io.dilemma.worker.cli.bench;

import io.dilemma.commandline.DilemmaCommand;
import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.serving.bench.CutCodecBenchmark;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "pipeline",
    description = {
      "Decode throughput of a loopback pipeline of shard-worker processes against the same model in one process.",
      "Also reports the per-step overhead the pipeline adds and the cut quantize+pack+unpack throughput.",
      "At a quantized cut (e.g. 8/4) the greedy tokens may differ from the single process's: quantizing the",
      "activations changes some near-tied choices, which is the expected effect of quantization."
    })
public final class BenchPipelineCommand extends DilemmaCommand {
  @Mixin LoopbackPipelineOptions loopback;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of 8-bit tokens at each quantized cut")
  double rho;

  @Option(names = "--cuts", defaultValue = "16,8/4", description = "cut settings to run, comma separated: HIGH/LOW bits, or 16 for unquantized (default ${DEFAULT-VALUE})")
  String cuts;

  @Option(names = "--new-tokens", defaultValue = "64", description = "tokens generated per run (default ${DEFAULT-VALUE})")
  int newTokens;

  @Option(names = "--repeats", defaultValue = "3", description = "measured rounds, each running the single process then the pipeline (after one warm-up round); the best rates are reported, and their ratio with its spread from " + MIN_ROUNDS_FOR_A_RATIO + " rounds on (default ${DEFAULT-VALUE})")
  int repeats;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "20",
      description = {
        "how long to exercise the freshly started shard processes before measuring (default ${DEFAULT-VALUE});",
        "a cold JVM's RPC path is ~10x slower than a warm one's, and a worker in a cluster runs warm"
      })
  double warmupSeconds;

  @Option(names = "--codec-seconds", defaultValue = "3", description = "measuring time of the cut codec loop")
  double codecSeconds;

  @Override
  protected int execute() throws Exception {
    PrintWriter out = out();
    java.util.List<CutQuantization> cutList = Arrays.stream(cuts.split(",")).map(String::trim).map(this::parseCut).toList();
    Path dir = loopback.workDir("bench-pipeline");
    ModelDimensions dims;
    try (ShardRunner whole = ShardRunner.open(loopback.model(), wholeModel())) {
      dims = whole.dimensions();
      long[] prompt = loopback.randomPrompt(7, dims.vocabSize());
      out.printf("%s: %d layers, d=%d, %d-bit weights; prompt %d tokens, %d generated, best of %d runs after a %.0f s warm-up%n",
          loopback.model(), dims.layers(), dims.hiddenSize(), loopback.weightBits, loopback.promptTokens, newTokens, repeats, warmupSeconds);
      for (CutQuantization cut : cutList) {
        LocalPipeline.Layout layout = loopback.layout(dims.layers(), cut, new ServingLimits(1L << 30, 300, 60_000));
        try (LocalPipeline pipeline = LocalPipeline.launch(loopback.model(), layout, dir.resolve("cut-" + cut.highBits() + "-" + cut.lowBits()))) {
          report(out, cut, compare(whole, pipeline, prompt));
        }
      }
    }

    CutCodecBenchmark.Result codec = CutCodecBenchmark.run(dims.hiddenSize(), 64, 0.25, Duration.ofMillis((long) (codecSeconds * 1000)));
    out.printf(
        "cut codec (d=%d, 64 tokens, rho=0.25, 8/4 bits): quantize+pack %.2f GB/s, unpack %.2f GB/s, round trip %.2f GB/s of fp32 input per core (CPU time)%n",
        dims.hiddenSize(), codec.encodeGigabytesPerSecond(), codec.decodeGigabytesPerSecond(), codec.roundTripGigabytesPerSecond());
    return 0;
  }

  /** Fewer alternating rounds than this give a ratio that is noise on a shared machine. */
  static final int MIN_ROUNDS_FOR_A_RATIO = 3;

  /**
   * Best decode rates of the single process and the pipeline, measured alternately so both see the
   * same machine load.
   *
   * @param roundRatios pipeline ÷ single-process rate of each measured round, in order
   * @param hops per hop, the link overhead distribution of the measured steps, one line each
   */
  private record Comparison(
      double referenceRate,
      double pipelineRate,
      double overheadMicros,
      double chainCheckMicros,
      boolean identical,
      java.util.List<Double> roundRatios,
      String hops) {}

  private Comparison compare(ShardRunner whole, LocalPipeline pipeline, long[] prompt) throws IOException, InterruptedException {
    double referenceRate = 0;
    double pipelineRate = 0;
    double overheadMicros = 0;
    boolean identical = true;
    java.util.List<Double> roundRatios = new java.util.ArrayList<>();
    warmUp(pipeline, prompt);
    double[][] linksBefore = linkBuckets(pipeline);
    for (int run = 0; run <= repeats; run++) {
      Generation.Result reference = Generation.generate(new ShardDecoder(whole), prompt, newTokens, TokenSampler.greedy());
      JsonNode response = pipeline.complete(prompt, newTokens);
      long[] tokens = new long[newTokens];
      for (int i = 0; i < newTokens; i++) {
        tokens[i] = response.at("/choices/0/tokens/" + i).asLong();
      }
      identical &= Arrays.equals(tokens, reference.tokens());
      if (run == 0) {
        continue;
      }
      referenceRate = Math.max(referenceRate, reference.decodeTokensPerSecond());
      double rate = response.at("/timing/decode_tokens_per_second").asDouble();
      roundRatios.add(rate / reference.decodeTokensPerSecond());
      if (rate > pipelineRate) {
        pipelineRate = rate;
        overheadMicros = response.at("/timing/decode_overhead_us_per_step").asDouble();
      }
    }
    String hops = hopDistribution(linksBefore, linkBuckets(pipeline));
    return new Comparison(referenceRate, pipelineRate, overheadMicros, chainCheckMicros(pipeline), identical, roundRatios, hops);
  }

  /** Cumulative counts of {@code dilemma_link_transfer_seconds} per hop, in bucket order. */
  private double[][] linkBuckets(LocalPipeline pipeline) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    double[][] hops = new double[loopback.shards - 1][io.dilemma.worker.serving.metrics.ServingMetrics.LINK_BUCKETS.length];
    for (int from = 0; from < loopback.shards - 1; from++) {
      String metrics = http.send(HttpRequest.newBuilder(pipeline.shardUrl(from, "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : metrics.split("\n")) {
        if (!line.startsWith("dilemma_link_transfer_seconds_bucket{") || !line.contains("from=\"" + from + "\"")) {
          continue;
        }
        int le = line.indexOf("le=\"") + 4;
        String bound = line.substring(le, line.indexOf('"', le));
        double[] bounds = io.dilemma.worker.serving.metrics.ServingMetrics.LINK_BUCKETS;
        for (int b = 0; b < bounds.length; b++) {
          if (!bound.equals("+Inf") && Math.abs(Double.parseDouble(bound) - bounds[b]) < 1e-12) {
            hops[from][b] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
    }
    return hops;
  }

  /** Per hop, the measured steps' link overhead quantiles as histogram bucket bounds ("p50 ≤ 200 µs"). */
  private static String hopDistribution(double[][] before, double[][] after) {
    double[] bounds = io.dilemma.worker.serving.metrics.ServingMetrics.LINK_BUCKETS;
    StringBuilder out = new StringBuilder();
    for (int hop = 0; hop < before.length; hop++) {
      double total = after[hop][bounds.length - 1] - before[hop][bounds.length - 1];
      out.append(String.format("  hop %d→%d link overhead per step (%.0f steps):", hop, hop + 1, total));
      for (double q : new double[] {0.5, 0.9, 0.99}) {
        String shown = "> " + Math.round(bounds[bounds.length - 1] * 1e6) + " µs";
        for (int b = 0; b < bounds.length; b++) {
          if (after[hop][b] - before[hop][b] >= q * total) {
            shown = "≤ " + Math.round(bounds[b] * 1e6) + " µs";
            break;
          }
        }
        out.append(String.format(" p%.0f %s", q * 100, shown));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * Until the JIT has compiled the RPC, HTTP and frame-coding paths, every hop costs milliseconds
   * more than it does in a long-running worker (measured here: a trivial gRPC call through a fresh
   * shard process takes ~1.2 ms for its first few thousand calls, ~0.3 ms after). Completions warm
   * the model path, chain checks (cheap) the RPC stack on every hop.
   */
  private void warmUp(LocalPipeline pipeline, long[] prompt) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(pipeline.headUrl("/readyz")).build();
    long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
    do {
      pipeline.complete(prompt, newTokens);
      for (int i = 0; i < 500 && System.nanoTime() < end; i++) {
        http.send(ready, HttpResponse.BodyHandlers.discarding());
      }
    } while (System.nanoTime() < end);
  }

  /**
   * Median latency of {@code GET /readyz} on the head: HTTP plus a {@code CheckChain} call through
   * every hop with no model work, the floor of what the RPC stack costs per step on this machine.
   */
  private static double chainCheckMicros(LocalPipeline pipeline) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(pipeline.headUrl("/readyz")).build();
    double[] micros = new double[41];
    for (int i = 0; i < micros.length; i++) {
      long start = System.nanoTime();
      http.send(ready, HttpResponse.BodyHandlers.discarding());
      micros[i] = (System.nanoTime() - start) / 1e3;
    }
    Arrays.sort(micros);
    return micros[micros.length / 2];
  }

  private void report(PrintWriter out, CutQuantization cut, Comparison result) {
    boolean quantized = cut.highBits() != 16;
    out.printf(
        "%d-shard loopback pipeline, cut %s: %.2f decode tokens/s vs %.2f single process, %s; greedy tokens %s%n",
        loopback.shards, quantized ? cut.highBits() + "/" + cut.lowBits() + " bits rho=" + cut.rho() : "unquantized (fp32)",
        result.pipelineRate(), result.referenceRate(), ratio(result),
        result.identical()
            ? "identical to the reference"
            : quantized
                ? "differ from the reference, as expected: the quantized cut changes some near-tied greedy choices"
                : "differ from the reference, which an unquantized cut should not cause");
    out.printf(
        "  overhead beyond compute and frame coding: %.0f µs per decode step (RPC, wire, scheduling; %d hops); an empty HTTP + chain round trip takes %.0f µs%n",
        result.overheadMicros(), loopback.shards - 1, result.chainCheckMicros());
    out.print(result.hops());
    out.flush();
  }

  /** The best-rate ratio with the spread of the per-round ratios, or why there is none. */
  static String ratio(double pipelineRate, double referenceRate, java.util.List<Double> roundRatios) {
    if (roundRatios.size() < MIN_ROUNDS_FOR_A_RATIO) {
      return String.format(
          java.util.Locale.ROOT,
          "no ratio from %d round%s (noise on a shared machine; use --repeats %d or more)",
          roundRatios.size(), roundRatios.size() == 1 ? "" : "s", MIN_ROUNDS_FOR_A_RATIO);
    }
    double low = roundRatios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double high = roundRatios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return String.format(
        java.util.Locale.ROOT,
        "ratio %.3f (per round %.3f..%.3f over %d alternating rounds)",
        pipelineRate / referenceRate, low, high, roundRatios.size());
  }

  private static String ratio(Comparison result) {
    return ratio(result.pipelineRate(), result.referenceRate(), result.roundRatios());
  }

  private LayerSelection wholeModel() throws ModelException {
    int layers = io.dilemma.worker.model.format.ModelDirectory.open(loopback.model()).manifest().dimensions().layers();
    return LayerSelection.wholeModel(layers, loopback.weightBits);
  }

  private CutQuantization parseCut(String entry) {
    if (entry.equals("16")) {
      return CutQuantization.none();
    }
    String[] parts = entry.split("/");
    try {
      if (parts.length == 2) {
        return new CutQuantization(rho, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--cuts entry '" + entry + "' must be HIGH/LOW (e.g. 8/4) or 16");
  }
}
