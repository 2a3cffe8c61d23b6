package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.bench.HeadLoad;
import io.dilemma.worker.serving.bench.LoadRun;
import io.dilemma.worker.serving.bench.ShardMemory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's load, shortened for CI: 64 concurrent sessions for 10 s on the head of a real
 * two-process pipeline (opt-tiny) must all be answered, then 256 must be shed with 503 +
 * Retry-After and nothing worse, the head must answer lone requests again, {@code /healthz} must
 * answer throughout, and the head's live heap, once the clients' connections are idle, may not
 * have grown by more than 16 MiB. {@code shard-worker-bench load} runs the
 * full 60 s.
 */
class HeadLoadIT {
  private static final int VOCAB = io.dilemma.worker.model.synth.OptPreset.OPT_TINY.dimensions().vocabSize();
  private static final long KV_BOUND = 16L << 20;

  @Test
  void theHeadServesSixtyFourSessionsShedsPastCapacityAndRecovers() throws Exception {
    Duration timeout = Duration.ofSeconds(30);
    LoadRun.Settings settings = new LoadRun.Settings(
        TinyModel.dir(), 2, TinyModel.LAYERS, 32, new ServingLimits(KV_BOUND, 300, 10_000),
        List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), Duration.ofSeconds(5),
        new HeadLoad.Settings(64, Duration.ofSeconds(10), 50_000, 16, 16, VOCAB, timeout),
        new HeadLoad.Settings(256, Duration.ofSeconds(8), 50_000, 16, 16, VOCAB, timeout),
        5, Path.of("target", "it-load").toAbsolutePath());
    LoadRun.Report report = LoadRun.run(settings);
    StringWriter text = new StringWriter();
    io.dilemma.worker.cli.bench.BenchLoadCommand.print(new PrintWriter(text), report);
    System.out.print(text);

    assertThat(report.violations()).as(text.toString()).isEmpty();
    assertThat(report.held().ok()).isGreaterThan(64);
    assertThat(report.overload().shed()).isPositive();
    ShardMemory before = report.memory().get(0).shards().get(0);
    ShardMemory after = report.memory().get(report.memory().size() - 1).shards().get(0);
    assertThat(report.memory().get(report.memory().size() - 1).moment()).isEqualTo(LoadRun.IDLE);
    if (before.liveHeapBytes().isPresent() && after.liveHeapBytes().isPresent()) {
      // a per-request leak (the tokenizer cache of defect 3 held ~65 MiB per MiB of prompt) shows here
      assertThat(after.liveHeapBytes().getAsLong()).as(text.toString()).isLessThan(before.liveHeapBytes().getAsLong() + (16L << 20));
    }
    assertThat(after.kvCacheBytes()).as("KV bytes once every session ended").isZero();
  }

  /**
   * The same held load on a KV bound that holds only a few of the 16 sessions the head runs at
   * once. Sessions past the bound used to evict each other's KV cache at every step (10 of 588
   * answered, the rest {@code shard_session_lost}); now a new session is refused with 503 +
   * Retry-After ({@code shard_overloaded}) until an admitted one ends, and no admitted one is lost.
   */
  @Test
  void aKvBoundBelowTheLoadRefusesNewSessionsInsteadOfEvictingRunningOnes() throws Exception {
    Duration timeout = Duration.ofSeconds(30);
    long bound = 256L << 10;
    LoadRun.Settings settings = new LoadRun.Settings(
        TinyModel.dir(), 2, TinyModel.LAYERS, 32, new ServingLimits(bound, 300, 10_000),
        List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), Duration.ofSeconds(3),
        new HeadLoad.Settings(64, Duration.ofSeconds(10), 50_000, 16, 16, VOCAB, timeout),
        new HeadLoad.Settings(256, Duration.ofSeconds(5), 50_000, 16, 16, VOCAB, timeout),
        5, Path.of("target", "it-load-small-kv").toAbsolutePath());
    LoadRun.Report report = LoadRun.run(settings);
    StringWriter text = new StringWriter();
    io.dilemma.worker.cli.bench.BenchLoadCommand.print(new PrintWriter(text), report);
    System.out.print(text);

    for (HeadLoad.Phase phase : List.of(report.held(), report.overload())) {
      assertThat(phase.failed()).as(text.toString()).isZero();
      assertThat(phase.shedCodes()).as("no session lost its KV cache\n" + text).doesNotContainKey("shard_session_lost");
    }
    assertThat(report.held().shedCodes()).as(text.toString()).containsKey("shard_overloaded");
    assertThat(report.held().ok()).as("completions of the held load\n" + text).isGreaterThan(64);
    assertThat(report.recovery().ok()).isEqualTo(report.recovery().requests());
    for (long kv : report.maxKvBytes()) assertThat(kv).as("KV bytes under load").isLessThanOrEqualTo(bound);
    assertThat(report.memory().get(report.memory().size() - 1).shards())
        .allSatisfy(m -> assertThat(m.kvCacheBytes()).as("KV bytes once every session ended").isZero());
  }
}
