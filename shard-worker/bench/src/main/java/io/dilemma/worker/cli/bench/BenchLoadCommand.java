package io.dilemma.worker.cli.bench;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.serving.bench.HeadLoad;
import io.dilemma.worker.serving.bench.LoadRun;
import io.dilemma.worker.serving.bench.ShardMemory;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "load",
    description = {
      "Concurrent completion sessions on the head of a loopback pipeline of shard-worker processes, held and past capacity.",
      "A held load it must serve without an error, then an overload it must shed with 503 + Retry-After, then lone",
      "requests that must succeed again, while /healthz is probed every 250 ms. Reports requests ok / shed / failed,",
      "p50/p99 completion time, throughput, each shard's KV bytes against their bound, and resident and live heap memory",
      "between phases. Exit code 1 when the head did not hold."
    })
public final class BenchLoadCommand extends DilemmaCommand {
  @Option(names = "--model", required = true, description = "model directory (e.g. from `shard-worker synth --preset opt-125m`)")
  Path model;

  @Option(names = "--shards", defaultValue = "2", description = "shard-worker processes in the pipeline (default ${DEFAULT-VALUE})")
  int shards;

  @Option(names = "--weight-bits", defaultValue = "32", description = "weight bits of every layer (must exist in the model directory; default ${DEFAULT-VALUE})")
  int weightBits;

  @Option(names = "--sessions", defaultValue = "64", description = "concurrent sessions of the held load (default ${DEFAULT-VALUE})")
  int sessions;

  @Option(names = "--seconds", defaultValue = "60", description = "length of the held load (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--overload-sessions", defaultValue = "256", description = "concurrent sessions of the overload; the head takes 16 completions at a time and queues 64 (default ${DEFAULT-VALUE})")
  int overloadSessions;

  @Option(names = "--overload-seconds", defaultValue = "20", description = "length of the overload (default ${DEFAULT-VALUE})")
  double overloadSeconds;

  @Option(names = "--max-requests", defaultValue = "200000", description = "at most this many requests per phase, whatever the time (default ${DEFAULT-VALUE})")
  long maxRequests;

  @Option(names = "--recovery-requests", defaultValue = "5", description = "lone requests after the overload, each of which must succeed (default ${DEFAULT-VALUE})")
  int recoveryRequests;

  @Option(names = "--prompt-tokens", defaultValue = "16", description = "random prompt length in tokens (default ${DEFAULT-VALUE})")
  int promptTokens;

  @Option(names = "--max-tokens", defaultValue = "16", description = "tokens generated per completion (default ${DEFAULT-VALUE})")
  int maxTokens;

  @Option(names = "--request-timeout-seconds", defaultValue = "30", description = "a request not answered by then counts as failed (default ${DEFAULT-VALUE})")
  double requestTimeoutSeconds;

  @Option(names = "--kv-cache-kib", defaultValue = "65536", description = "each shard's KV cache bound, KiB (default ${DEFAULT-VALUE}); a small one shows eviction under load")
  long kvCacheKib;

  @Option(names = "--heap", defaultValue = "256m", description = "-Xmx of every shard JVM (default ${DEFAULT-VALUE}); each also exits on OutOfMemoryError")
  String heap;

  @Option(names = "--warmup-seconds", defaultValue = "10", description = "load before measuring: a cold JVM is slower than a serving one (default ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--work-dir", description = "where shard plans and logs go (default: a temp dir)")
  Path workDir;

  @Override
  protected int execute() throws Exception {
    ModelDimensions dims = ModelDirectory.open(model).manifest().dimensions();
    LoadRun.Report report = LoadRun.run(settings(model, dims, workDir != null ? workDir : Files.createTempDirectory("bench-load")));
    print(out(), report);
    return report.violations().isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
  }

  LoadRun.Settings settings(Path model, ModelDimensions dims, Path dir) {
    Duration timeout = Duration.ofMillis((long) (requestTimeoutSeconds * 1000));
    HeadLoad.Settings held =
        new HeadLoad.Settings(sessions, Duration.ofMillis((long) (seconds * 1000)), maxRequests, promptTokens, maxTokens, dims.vocabSize(), timeout);
    HeadLoad.Settings overload =
        new HeadLoad.Settings(overloadSessions, Duration.ofMillis((long) (overloadSeconds * 1000)), maxRequests, promptTokens, maxTokens, dims.vocabSize(), timeout);
    return new LoadRun.Settings(
        model, shards, dims.layers(), weightBits, new ServingLimits(kvCacheKib << 10, 300, 10_000),
        List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"), Duration.ofMillis((long) (warmupSeconds * 1000)),
        held, overload, recoveryRequests, dir);
  }

  /** The report, one line per phase and measurement, then the verdict. */
  public static void print(PrintWriter out, LoadRun.Report report) {
    LoadRun.Settings s = report.settings();
    out.printf(Locale.ROOT, "%s: %d-shard loopback pipeline, %d-bit weights, shard JVMs %s; prompt %d tokens, %d generated per completion%n",
        s.model(), s.shards(), s.weightBits(), String.join(" ", s.jvmOptions()), s.held().promptTokens(), s.held().maxTokens());
    phase(out, "held", report.held());
    phase(out, "overload", report.overload());
    phase(out, "recovery", report.recovery());
    var health = report.health();
    out.printf(Locale.ROOT, "/healthz during all three: %d probes, %d failed, slowest %.0f ms%s%n",
        health.probes(), health.failed(), health.maxMillis(), health.firstFailure() == null ? "" : "; first failure: " + health.firstFailure());
    long[] kv = report.maxKvBytes();
    for (int shard = 0; shard < kv.length; shard++) {
      ShardMemory last = report.memory().get(report.memory().size() - 1).shards().get(shard);
      out.printf(Locale.ROOT, "shard %d KV cache: at most %.2f MiB of its %.2f MiB bound under load, %.2f MiB after; %d sessions evicted%n",
          shard, kv[shard] / 1048576.0, s.limits().kvCacheBytes() / 1048576.0, last.kvCacheBytes() / 1048576.0, last.sessionsEvicted());
    }
    for (int shard = 0; shard < s.shards(); shard++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "shard %d memory (RSS / live heap after a full GC):", shard));
      for (LoadRun.Snapshot snapshot : report.memory()) {
        ShardMemory m = snapshot.shards().get(shard);
        line.append(String.format(Locale.ROOT, " %s %.0f / %s MiB;", snapshot.moment(), m.residentBytes() / 1048576.0,
            m.liveHeapBytes().isPresent() ? String.format(Locale.ROOT, "%.1f", m.liveHeapBytes().getAsLong() / 1048576.0) : "n/a"));
      }
      out.println(line.substring(0, line.length() - 1));
    }
    List<String> violations = report.violations();
    out.println(violations.isEmpty() ? "verdict: the head held" : "verdict: the head did not hold: " + String.join("; ", violations));
    out.flush();
  }

  private static void phase(PrintWriter out, String name, HeadLoad.Phase p) {
    out.printf(Locale.ROOT,
        "%-8s %3d sessions, %5.1f s: %d requests: %d ok, %d shed (503 + Retry-After%s), %d failed; completion p50 %.0f ms, p99 %.0f ms, max %.0f ms; %.1f completions/s, %.0f tokens/s%n",
        name, p.settings().sessions(), p.seconds(), p.requests(), p.ok(), p.shed(),
        p.shedCodes().isEmpty() ? "" : ": " + p.shedCodes().entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", ")),
        p.failed(), p.p50Millis(), p.p99Millis(), p.maxMillis(), p.completionsPerSecond(), p.tokensPerSecond());
    p.failures().forEach(f -> out.println("         failed: " + f));
  }
}
