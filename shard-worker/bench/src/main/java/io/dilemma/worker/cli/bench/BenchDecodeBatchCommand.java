package io.dilemma.worker.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "decode-batch",
    description = {
      "Aggregate decode tokens/s and per-token latency of a loopback pipeline of shard-worker processes at several numbers of concurrent sessions.",
      "Each session count is measured against one session, in alternation, so both see the same machine load."
    })
public final class BenchDecodeBatchCommand extends DilemmaCommand {
  @Mixin LoopbackPipelineOptions loopback;

  @Option(names = "--sessions", defaultValue = "1,2,4,8,16,32", description = "concurrent sessions to measure (default ${DEFAULT-VALUE})")
  String sessions;

  @Option(names = "--new-tokens", defaultValue = "48", description = "tokens generated per session (default ${DEFAULT-VALUE})")
  int newTokens;

  @Option(names = "--repeats", defaultValue = "2", description = "rounds over all session counts; the best round of each is reported")
  int repeats;

  @Option(names = "--warmup-seconds", defaultValue = "15", description = "how long to exercise the freshly started shard processes before measuring; a cold JVM's RPC path is much slower than a warm one's (default ${DEFAULT-VALUE})")
  double warmupSeconds;

  /** One round at one concurrency: aggregate decode rate and the median session's per-token latency. */
  private record Round(double aggregateTokensPerSecond, double p50TokenMillis, double p90TokenMillis) {}

  @Override
  protected int execute() throws Exception {
    PrintWriter out = out();
    int[] counts = Arrays.stream(sessions.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    ModelDimensions dims = ModelDirectory.open(loopback.model()).manifest().dimensions();
    Path dir = loopback.workDir("bench-decode-batch");
    LocalPipeline.Layout layout = loopback.layout(dims.layers(), CutQuantization.none(), new ServingLimits(2L << 30, 300, 120_000));
    ExecutorService clients = Executors.newCachedThreadPool();
    try (LocalPipeline pipeline = LocalPipeline.launch(loopback.model(), layout, dir)) {
      long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
      while (System.nanoTime() < end) {
        round(pipeline, clients, 4, dims);
      }
      Round[] best = new Round[counts.length];
      for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < counts.length; i++) {
          Round round = round(pipeline, clients, counts[i], dims);
          if (best[i] == null || round.aggregateTokensPerSecond() > best[i].aggregateTokensPerSecond()) {
            best[i] = round;
          }
        }
      }
      out.printf("%s, %d-process loopback pipeline, unquantized cuts; prompt %d tokens, %d generated per session; best of %d rounds%n",
          loopback.model(), loopback.shards, loopback.promptTokens, newTokens, repeats);
      out.println("sessions | aggregate decode tok/s | × one session | p50 per-token ms | × one session | p90 per-token ms");
      for (int i = 0; i < counts.length; i++) {
        out.printf("%d | %.1f | %.2f | %.1f | %.2f | %.1f%n",
            counts[i], best[i].aggregateTokensPerSecond(), best[i].aggregateTokensPerSecond() / best[0].aggregateTokensPerSecond(),
            best[i].p50TokenMillis(), best[i].p50TokenMillis() / best[0].p50TokenMillis(), best[i].p90TokenMillis());
      }
    } finally {
      clients.shutdownNow();
    }
    return ExitCode.OK;
  }

  /**
   * {@code count} sessions started together. The aggregate counts every decoded token (all but each
   * session's first, which the prefill yields) over the time from the first session's first token
   * to the last session's end.
   */
  private Round round(LocalPipeline pipeline, ExecutorService clients, int count, ModelDimensions dims) throws Exception {
    List<CompletableFuture<double[]>> sessions = new ArrayList<>();
    long start = System.nanoTime();
    for (int s = 0; s < count; s++) {
      long[] prompt = loopback.randomPrompt(1000 + s, dims.vocabSize());
      sessions.add(CompletableFuture.supplyAsync(() -> {
        try {
          JsonNode response = pipeline.complete(prompt, newTokens);
          double firstTokenMillis = response.at("/timing/time_to_first_token_ms").asDouble();
          double rate = response.at("/timing/decode_tokens_per_second").asDouble();
          return new double[] {firstTokenMillis, (System.nanoTime() - start) / 1e6, 1000 / rate};
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, clients));
    }
    double firstDecode = Double.MAX_VALUE;
    double lastEnd = 0;
    double[] perToken = new double[count];
    for (int s = 0; s < count; s++) {
      double[] result = sessions.get(s).get();
      firstDecode = Math.min(firstDecode, result[0]);
      lastEnd = Math.max(lastEnd, result[1]);
      perToken[s] = result[2];
    }
    Arrays.sort(perToken);
    double aggregate = count * (newTokens - 1) / ((lastEnd - firstDecode) / 1000);
    return new Round(aggregate, perToken[(count - 1) / 2], perToken[(int) Math.ceil(0.9 * count) - 1]);
  }
}
