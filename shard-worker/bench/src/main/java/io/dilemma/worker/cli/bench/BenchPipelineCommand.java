package io.dilemma.worker.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Decode throughput of a loopback pipeline of shard-worker processes against the same model in one process,",
      "the per-step overhead the pipeline adds, and the cut quantize+pack+unpack throughput."
    })
public final class BenchPipelineCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "model directory (e.g. from `shard-worker synth --preset opt-125m`)")
  Path model;

  @Option(names = "--shards", defaultValue = "3")
  int shards;

  @Option(names = "--weight-bits", defaultValue = "32", description = "weight bits of every layer (must exist in the model directory)")
  int weightBits;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of 8-bit tokens at each quantized cut")
  double rho;

  @Option(names = "--cuts", defaultValue = "16,8/4", description = "cut settings to run, comma separated: HIGH/LOW bits, or 16 for unquantized (default ${DEFAULT-VALUE})")
  String cuts;

  @Option(names = "--prompt-tokens", defaultValue = "32")
  int promptTokens;

  @Option(names = "--new-tokens", defaultValue = "64")
  int newTokens;

  @Option(names = "--repeats", defaultValue = "3", description = "measured runs of each side (after one warm-up); the best is reported")
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

  @Option(names = "--work-dir", description = "where shard plans and logs go (default: a temp dir)")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    java.util.List<CutQuantization> cutList = Arrays.stream(cuts.split(",")).map(String::trim).map(this::parseCut).toList();
    Path dir = workDir != null ? workDir : Files.createTempDirectory("bench-pipeline");
    ModelDimensions dims;
    try (ShardRunner whole = ShardRunner.open(model, wholeModel())) {
      dims = whole.dimensions();
      long[] prompt = new SplittableRandom(7).longs(promptTokens, 4, dims.vocabSize()).toArray();
      out.printf("%s: %d layers, d=%d, %d-bit weights; prompt %d tokens, %d generated, best of %d runs after a %.0f s warm-up%n",
          model, dims.layers(), dims.hiddenSize(), weightBits, promptTokens, newTokens, repeats, warmupSeconds);
      for (CutQuantization cut : cutList) {
        LocalPipeline.Layout layout =
            new LocalPipeline.Layout(shards, dims.layers(), weightBits, cut, true, new ServingLimits(1L << 30, 300, 60_000));
        try (LocalPipeline pipeline = LocalPipeline.launch(model, layout, dir.resolve("cut-" + cut.highBits() + "-" + cut.lowBits()))) {
          report(out, cut, compare(whole, pipeline, prompt));
        }
      }
    } catch (ModelException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }

    CutCodecBenchmark.Result codec = CutCodecBenchmark.run(dims.hiddenSize(), 64, 0.25, Duration.ofMillis((long) (codecSeconds * 1000)));
    out.printf(
        "cut codec (d=%d, 64 tokens, rho=0.25, 8/4 bits): quantize+pack %.2f GB/s, unpack %.2f GB/s, round trip %.2f GB/s of fp32 input per core (CPU time)%n",
        dims.hiddenSize(), codec.encodeGigabytesPerSecond(), codec.decodeGigabytesPerSecond(), codec.roundTripGigabytesPerSecond());
    return 0;
  }

  /** Best decode rates of the single process and the pipeline, measured alternately so both see the same machine load. */
  private record Comparison(
      double referenceRate, double pipelineRate, double overheadMicros, double chainCheckMicros, boolean identical, String hops) {}

  private Comparison compare(ShardRunner whole, LocalPipeline pipeline, long[] prompt) throws IOException, InterruptedException {
    double referenceRate = 0;
    double pipelineRate = 0;
    double overheadMicros = 0;
    boolean identical = true;
    warmUp(pipeline, prompt);
    double[][] linksBefore = linkBuckets(pipeline);
    for (int run = 0; run <= repeats; run++) {
      Generation.Result reference = Generation.generate(new ShardDecoder(whole), prompt, newTokens, TokenSampler.greedy());
      JsonNode response = complete(pipeline, prompt);
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
      if (rate > pipelineRate) {
        pipelineRate = rate;
        overheadMicros = response.at("/timing/decode_overhead_us_per_step").asDouble();
      }
    }
    String hops = hopDistribution(linksBefore, linkBuckets(pipeline));
    return new Comparison(referenceRate, pipelineRate, overheadMicros, chainCheckMicros(pipeline), identical, hops);
  }

  /** Cumulative counts of {@code dilemma_link_transfer_seconds} per hop, in bucket order. */
  private double[][] linkBuckets(LocalPipeline pipeline) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    double[][] hops = new double[shards - 1][io.dilemma.worker.serving.metrics.ServingMetrics.LINK_BUCKETS.length];
    for (int from = 0; from < shards - 1; from++) {
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
      complete(pipeline, prompt);
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
    out.printf(
        "%d-shard loopback pipeline, cut %s: %.2f decode tokens/s vs %.2f single process = %.3f; greedy tokens %s the reference%n",
        shards, cut.highBits() == 16 ? "unquantized (fp32)" : cut.highBits() + "/" + cut.lowBits() + " bits rho=" + cut.rho(),
        result.pipelineRate(), result.referenceRate(), result.pipelineRate() / result.referenceRate(),
        result.identical() ? "identical to" : "differ from");
    out.printf(
        "  overhead beyond compute and frame coding: %.0f µs per decode step (RPC, wire, scheduling; %d hops); an empty HTTP + chain round trip takes %.0f µs%n",
        result.overheadMicros(), shards - 1, result.chainCheckMicros());
    out.print(result.hops());
    out.flush();
  }

  private JsonNode complete(LocalPipeline pipeline, long[] prompt) throws IOException, InterruptedException {
    var body = JSON.createObjectNode();
    var ids = body.putArray("prompt");
    Arrays.stream(prompt).forEach(ids::add);
    body.put("max_tokens", newTokens);
    body.put("temperature", 0);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(pipeline.headUrl("/v1/completions"))
                    .timeout(Duration.ofMinutes(10))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("completion failed: HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private LayerSelection wholeModel() throws ModelException {
    int layers = io.dilemma.worker.model.format.ModelDirectory.open(model).manifest().dimensions().layers();
    return LayerSelection.wholeModel(layers, weightBits);
  }

  private CutQuantization parseCut(String spec) {
    if (spec.equals("16")) {
      return CutQuantization.none();
    }
    String[] parts = spec.split("/");
    try {
      if (parts.length == 2) {
        return new CutQuantization(rho, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new picocli.CommandLine.ParameterException(this.spec.commandLine(), "--cuts entry '" + spec + "' must be HIGH/LOW (e.g. 8/4) or 16");
  }
}
