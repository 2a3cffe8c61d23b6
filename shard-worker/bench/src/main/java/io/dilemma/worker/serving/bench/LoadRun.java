package io.dilemma.worker.serving.bench;

import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The head under load, on a loopback pipeline of real {@code shard-worker serve} processes: a held
 * phase at a concurrency the head must serve without an error, an overload phase past its capacity
 * that it must shed with 503 + {@code Retry-After} and nothing worse, then a few lone requests that
 * must succeed again. Throughout, {@code /healthz} is probed like a liveness probe, the shards' KV
 * bytes are sampled, and every shard's resident and live heap memory is measured between phases
 * and once more when the clients' connections have gone idle past the head's timeout.
 */
public final class LoadRun {
  /**
   * @param model model directory
   * @param shards shard processes; the model's layers are split evenly
   * @param layers the model's decoder layers
   * @param weightBits bits of every layer (must exist in the directory)
   * @param limits every shard's serving limits (the KV bound among them)
   * @param jvmOptions given to every shard JVM, e.g. {@code -Xmx256m}
   * @param warmup closed-loop load before measuring (a cold JVM is slower than a serving one)
   * @param held the load the head must serve without an error
   * @param overload the load past capacity it must shed
   * @param recoveryRequests lone requests after the overload, every one of which must succeed
   */
  public record Settings(
      Path model,
      int shards,
      int layers,
      int weightBits,
      ServingLimits limits,
      List<String> jvmOptions,
      Duration warmup,
      HeadLoad.Settings held,
      HeadLoad.Settings overload,
      int recoveryRequests,
      Path workDir) {}

  /** One moment's memory of every shard, head first. */
  public record Snapshot(String moment, List<ShardMemory> shards) {}

  /**
   * @param maxKvBytes per shard, the most {@code dilemma_kv_cache_bytes} showed while load ran
   * @param headAlive whether the head process still ran when the run ended (an OOM exits it)
   */
  public record Report(
      Settings settings,
      HeadLoad.Phase held,
      HeadLoad.Phase overload,
      HeadLoad.Phase recovery,
      HealthWatch.Summary health,
      List<Snapshot> memory,
      long[] maxKvBytes,
      boolean headAlive) {

    /** What the issue requires and this run did not show; empty when the head held. */
    public List<String> violations() {
      List<String> problems = new ArrayList<>();
      if (held.failed() > 0) problems.add("held load: " + held.failed() + " failed requests, e.g. " + held.failures());
      if (held.shed() > 0) problems.add("held load: " + held.shed() + " requests shed below capacity");
      if (held.ok() == 0) problems.add("held load: no completion answered");
      if (overload.failed() > 0) problems.add("overload: " + overload.failed() + " failed requests, e.g. " + overload.failures());
      if (overload.shed() == 0) problems.add("overload: nothing was shed; the load did not pass capacity (raise the overload sessions)");
      if (recovery.ok() != recovery.requests()) problems.add("recovery: " + recovery.ok() + " of " + recovery.requests() + " answered, e.g. " + recovery.failures());
      if (health.failed() > 0) problems.add("/healthz: " + health.failed() + " of " + health.probes() + " probes failed, first: " + health.firstFailure());
      for (int shard = 0; shard < maxKvBytes.length; shard++) {
        if (maxKvBytes[shard] > settings.limits().kvCacheBytes()) {
          problems.add("shard " + shard + ": KV cache reached " + maxKvBytes[shard] + " bytes, above its bound " + settings.limits().kvCacheBytes());
        }
      }
      if (!headAlive) problems.add("the head process exited");
      return problems;
    }
  }

  /** The last snapshot: once every client connection has been idle past the head's timeout. */
  public static final String IDLE = "idle";

  private LoadRun() {}

  public static Report run(Settings settings) throws IOException, InterruptedException {
    LocalPipeline.Layout layout =
        new LocalPipeline.Layout(settings.shards(), settings.layers(), settings.weightBits(), CutQuantization.none(), true, settings.limits());
    try (LocalPipeline pipeline = LocalPipeline.launch(settings.model(), layout, settings.workDir(), settings.jvmOptions())) {
      HeadLoad load = new HeadLoad(pipeline.headUrl("/v1/completions"));
      HeadLoad.Phase warmup = load.run(withDuration(settings.held(), settings.warmup()));
      requireRunning(pipeline, settings.shards(), "during the " + settings.warmup().toSeconds() + " s warm-up (" + warmup.ok()
          + " ok, " + warmup.failed() + " failed, e.g. " + warmup.failures() + ")");
      List<Snapshot> memory = new ArrayList<>();
      memory.add(snapshot("before load", pipeline, settings.shards()));
      HeadLoad.Phase held;
      HeadLoad.Phase overload;
      HeadLoad.Phase recovery;
      HealthWatch.Summary health;
      KvSampler kv = new KvSampler(pipeline, settings.shards());
      try (HealthWatch watch = new HealthWatch(pipeline.headUrl("/healthz"), Duration.ofMillis(250), Duration.ofSeconds(2))) {
        held = load.run(settings.held());
        memory.add(snapshot("after held load", pipeline, settings.shards()));
        overload = load.run(settings.overload());
        memory.add(snapshot("after overload", pipeline, settings.shards()));
        recovery = load.run(new HeadLoad.Settings(1, Duration.ofMinutes(1), settings.recoveryRequests(),
            settings.held().promptTokens(), settings.held().maxTokens(), settings.held().vocabSize(), settings.held().requestTimeout()));
        health = watch.summary();
      } finally {
        kv.close();
      }
      memory.add(snapshot("after recovery", pipeline, settings.shards()));
      // the clients' kept-alive connections hold buffers on the head until its idle timeout closes them
      Thread.sleep(HttpLimits.defaults().idleTimeout().plusSeconds(5).toMillis());
      memory.add(snapshot(IDLE, pipeline, settings.shards()));
      boolean alive = ProcessHandle.of(pipeline.pid(0)).map(ProcessHandle::isAlive).orElse(false);
      return new Report(settings, held, overload, recovery, health, memory, kv.max(), alive);
    }
  }

  private static HeadLoad.Settings withDuration(HeadLoad.Settings s, Duration duration) {
    return new HeadLoad.Settings(s.sessions(), duration, s.maxRequests(), s.promptTokens(), s.maxTokens(), s.vocabSize(), s.requestTimeout());
  }

  /** Names the first shard found gone and when, rather than failing later on its missing process. */
  private static void requireRunning(LocalPipeline pipeline, int shards, String when) throws IOException {
    for (int shard = 0; shard < shards; shard++) {
      java.util.Optional<String> exited = pipeline.exited(shard);
      if (exited.isPresent()) throw new IOException(when + ": " + exited.get());
    }
  }

  private static Snapshot snapshot(String moment, LocalPipeline pipeline, int shards) throws IOException, InterruptedException {
    List<ShardMemory> memory = new ArrayList<>();
    requireRunning(pipeline, shards, "before the snapshot '" + moment + "'");
    for (int shard = 0; shard < shards; shard++) {
      memory.add(ShardMemory.of(pipeline.pid(shard), pipeline.shardUrl(shard, "/metrics")));
    }
    return new Snapshot(moment, memory);
  }

  /** The largest KV bytes each shard reports, sampled every second. */
  private static final class KvSampler implements AutoCloseable {
    private final long[] max;
    private final Thread thread;
    private volatile boolean stopped;

    KvSampler(LocalPipeline pipeline, int shards) {
      max = new long[shards];
      thread = new Thread(() -> sample(pipeline), "kv-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    private void sample(LocalPipeline pipeline) {
      while (!stopped) {
        for (int shard = 0; shard < max.length; shard++) {
          try {
            long bytes = ShardMemory.kvBytes(pipeline.shardUrl(shard, "/metrics"));
            synchronized (this) {
              max[shard] = Math.max(max[shard], bytes);
            }
          } catch (IOException e) {
            // a missed sample; the health watch reports an unreachable head
          } catch (InterruptedException e) {
            return;
          }
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    synchronized long[] max() {
      return max.clone();
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.interrupt();
      thread.join(10_000);
    }
  }
}
