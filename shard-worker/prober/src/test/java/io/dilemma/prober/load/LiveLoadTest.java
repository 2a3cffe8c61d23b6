package io.dilemma.prober.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a fixture /proc and cgroup tree written per test. */
class LiveLoadTest {
  @TempDir Path root;

  private Path proc() {
    return root.resolve("proc");
  }

  private Path cgroups() {
    return root.resolve("sys/fs/cgroup");
  }

  /** user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms. */
  private void stat(long user, long system, long idle, long iowait) throws IOException {
    Files.createDirectories(proc());
    Files.writeString(proc().resolve("stat"),
        "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 0 0\n"
            + "cpu0 1 0 1 1 0 0 0 0 0 0\nintr 12 0\n");
  }

  private void process(int pid, String cmdline, String cgroup) throws IOException {
    Path dir = Files.createDirectories(proc().resolve(Integer.toString(pid)));
    Files.write(dir.resolve("cmdline"), cmdline.replace(' ', '\0').getBytes());
    Files.writeString(dir.resolve("cgroup"), "0::" + cgroup + "\n");
  }

  private void usage(String cgroup, long usec) throws IOException {
    Path dir = Files.createDirectories(cgroups().resolve(cgroup.substring(1)));
    Files.writeString(dir.resolve("cpu.stat"), "usage_usec " + usec + "\nuser_usec 1\nsystem_usec 1\n");
  }

  private ProcCpuCounters reader() {
    return new ProcCpuCounters(proc(), cgroups(), List.of("io.dilemma.worker.cli.ShardWorkerCli"));
  }

  @Test
  void ourShardsDoNotCountForeignWorkDoes() throws IOException {
    process(10, "java -cp x io.dilemma.worker.cli.ShardWorkerCli serve", "/kubepods/pod-a/shard");
    process(11, "java -cp x io.dilemma.worker.cli.ShardWorkerCli serve", "/kubepods/pod-a/shard");
    process(20, "stress --cpu 1", "/kubepods/pod-b/hog");
    usage("/kubepods/pod-a/shard", 1_000_000);
    usage("/kubepods/pod-b/hog", 5_000_000);
    stat(1000, 0, 1000, 0);
    CpuCounters before = reader().read();
    // 2 s on 2 cores = 400 ticks = 4 s of CPU: 1 s shard, 1 s hog, 2 s idle
    usage("/kubepods/pod-a/shard", 2_000_000);
    usage("/kubepods/pod-b/hog", 6_000_000);
    stat(1150, 50, 1180, 20);
    CpuCounters after = reader().read();

    assertThat(after.shardCgroups()).containsOnlyKeys("/kubepods/pod-a/shard");
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.shardShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.availableShare()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void aShardThatStartedBetweenReadingsDoesNotHideForeignLoad() throws IOException {
    stat(0, 0, 0, 0);
    CpuCounters before = reader().read();
    process(10, "java io.dilemma.worker.cli.ShardWorkerCli", "/s");
    usage("/s", 3_000_000);
    stat(200, 0, 200, 0);
    LiveLoad load = LiveLoad.between(before, reader().read());
    assertThat(load.foreignShare()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void aMalformedStatNamesTheFile() throws IOException {
    Files.createDirectories(proc());
    Files.writeString(proc().resolve("stat"), "intr 1\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader().read())
        .hasMessageContaining("stat").hasMessageContaining("no aggregate cpu line");
  }
}
