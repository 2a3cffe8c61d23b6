package io.dilemma.prober.load;

import static io.dilemma.prober.load.FakeHost.SHARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host is the node (cgroup v2, --node-cgroup none), against a fixture /proc and cgroup tree written per test. */
class LiveLoadTest {
  @TempDir Path dir;
  FakeHost host;

  @BeforeEach
  void unifiedHierarchy() throws IOException {
    host = new FakeHost(dir).v2();
  }

  private ProcCpuCounters reader() throws IOException {
    return ProcCpuCounters.open(host.proc(), host.cgroupRoot(), new NodeCgroup.WholeHost(), List.of("io.dilemma.worker.cli.ShardWorkerCli"));
  }

  @Test
  void ourShardsDoNotCountForeignWorkDoes() throws IOException {
    host.process("10", SHARD, "0::/kubepods/pod-a/shard")
        .process("11", SHARD, "0::/kubepods/pod-a/shard")
        .process("20", "stress --cpu 1", "0::/kubepods/pod-b/hog")
        .v2Usage("/kubepods/pod-a/shard", 1_000_000)
        .v2Usage("/kubepods/pod-b/hog", 5_000_000)
        .stat(2, 1000, 0, 1000, 0);
    ProcCpuCounters reader = reader();
    CpuCounters before = reader.read();
    // 2 s on 2 cores = 400 ticks = 4 s of CPU: 1 s shard, 1 s hog, 2 s idle
    host.v2Usage("/kubepods/pod-a/shard", 2_000_000).v2Usage("/kubepods/pod-b/hog", 6_000_000).stat(2, 1150, 50, 1180, 20);
    CpuCounters after = reader.read();

    assertThat(after.shardCgroups()).containsOnlyKeys("/kubepods/pod-a/shard");
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.shardShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.availableShare()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void aShardThatStartedBetweenReadingsDoesNotHideForeignLoad() throws IOException {
    host.stat(2, 0, 0, 0, 0);
    ProcCpuCounters reader = reader();
    CpuCounters before = reader.read();
    host.process("10", "java io.dilemma.worker.cli.ShardWorkerCli", "0::/s").v2Usage("/s", 3_000_000).stat(2, 200, 0, 200, 0);
    LiveLoad load = LiveLoad.between(before, reader.read());
    assertThat(load.foreignShare()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void theProbersOwnCpuIsNotForeign() throws IOException {
    host.process("20", "stress --cpu 1", "0::/kubepods/pod-b/hog").stat(2, 1000, 0, 1000, 0).proberCpu(500, 100);
    ProcCpuCounters reader = reader();
    CpuCounters before = reader.read();
    // 2 s on 2 cores = 4 s of CPU: the prober's benchmark 1 s (80 + 20 ticks), the hog 0.5 s, 2.5 s idle
    host.stat(2, 1150, 0, 1250, 0).proberCpu(580, 120);
    LiveLoad load = LiveLoad.between(before, reader.read());
    assertThat(load.proberShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.125, within(1e-9));
    assertThat(load.availableShare()).isCloseTo(0.875, within(1e-9));
  }

  @Test
  void aMalformedProberStatNamesTheFile() throws IOException {
    host.stat(1, 0, 0, 0, 0);
    java.nio.file.Files.writeString(host.proc().resolve("self/stat"), "4242 (java) S 1\n");
    assertThatThrownBy(() -> reader().read()).hasMessageContaining("self/stat").hasMessageContaining("fewer than 15 fields");
  }

  @Test
  void aMalformedStatNamesTheFile() throws IOException {
    host.stat(1, 0, 0, 0, 0);
    java.nio.file.Files.writeString(host.proc().resolve("stat"), "intr 1\n");
    assertThatThrownBy(() -> reader().read()).hasMessageContaining("stat").hasMessageContaining("no aggregate cpu line");
  }
}
