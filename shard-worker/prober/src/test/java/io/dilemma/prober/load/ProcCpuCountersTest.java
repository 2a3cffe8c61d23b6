package io.dilemma.prober.load;

import static io.dilemma.prober.load.FakeHost.SHARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cgroup v1 and v2 trees, with the node as the whole host or as one cgroup of it (given, or the
 * parent of the prober's own), against fixture /proc and cgroup files written per test.
 */
class ProcCpuCountersTest {
  @TempDir Path dir;

  private static final List<String> MARKERS = List.of("io.dilemma.worker.cli.ShardWorkerCli");

  private static ProcCpuCounters reader(FakeHost host, NodeCgroup node) throws IOException {
    return ProcCpuCounters.open(host.proc(), host.cgroupRoot(), node, MARKERS);
  }

  @Test
  void v1WithCpuAndCpuacctMountedTogetherCountsShardsFromCpuacctUsageInNanoseconds() throws IOException {
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu,cpuacct").v1Hierarchy("memory")
        .process("10", SHARD, "5:memory:/kubepods/pod-a/shard", "3:cpu,cpuacct:/kubepods/pod-a/shard", "0::/")
        .process("20", "stress --cpu 1", "5:memory:/kubepods/pod-b/hog", "3:cpu,cpuacct:/kubepods/pod-b/hog", "0::/")
        .v1Usage("cpu,cpuacct", "/kubepods/pod-a/shard", 1_000_000_000L)
        .v1Usage("cpu,cpuacct", "/kubepods/pod-b/hog", 5_000_000_000L)
        .stat(2, 1000, 0, 1000, 0);
    ProcCpuCounters reader = reader(host, new NodeCgroup.WholeHost());
    CpuCounters before = reader.read();
    // 2 s on 2 cores = 4 s of CPU: 1 s shard, 1 s hog, 2 s idle
    host.v1Usage("cpu,cpuacct", "/kubepods/pod-a/shard", 2_000_000_000L)
        .v1Usage("cpu,cpuacct", "/kubepods/pod-b/hog", 6_000_000_000L)
        .stat(2, 1150, 50, 1180, 20);
    CpuCounters after = reader.read();

    assertThat(after.shardCgroups()).containsExactly(java.util.Map.entry("/kubepods/pod-a/shard", 2_000_000L));
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.shardShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.25, within(1e-9));
  }

  @Test
  void v1WithSeparateMountsReadsTheCpuacctLineNotTheHybridUnifiedOne() throws IOException {
    // like this build machine: cpu and cpuacct apart, plus an empty cgroup2 at unified/
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu").v1Hierarchy("cpuacct")
        .process("10", SHARD, "2:cpuacct:/kubepods/shard", "1:cpu:/kubepods/shard", "0::/user.slice")
        .v1Usage("cpuacct", "/kubepods/shard", 7_000_000L)
        .stat(2, 0, 0, 0, 0);
    Files.createDirectories(host.cgroupRoot().resolve("unified"));
    Files.writeString(host.cgroupRoot().resolve("unified/cgroup.controllers"), "\n");

    assertThat(reader(host, new NodeCgroup.WholeHost()).read().shardCgroups())
        .containsExactly(java.util.Map.entry("/kubepods/shard", 7_000L));
  }

  @Test
  void v1HierarchiesAreFoundByTheirFilesNotJustTheirNames() throws IOException {
    // the mount is cpuacct,cpu; a directory named cpuacct, which sorts first, is not a hierarchy
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpuacct,cpu");
    Files.createDirectories(host.cgroupRoot().resolve("cpuacct"));
    Path mount = host.cgroupRoot().resolve("cpuacct,cpu");
    assertThat(CgroupCpu.detect(host.cgroupRoot())).isEqualTo(new CgroupV1Cpu(mount, java.util.Optional.of(mount)));
    assertThat(CgroupCpu.detect(new FakeHost(dir.resolve("v2")).v2().cgroupRoot())).isInstanceOf(CgroupV2Cpu.class);
  }

  @Test
  void v1NodePathTakesItsQuotaAsCapacityAndItsUsageAsBusyAndIgnoresOtherNodesShards() throws IOException {
    // a 2-core host whose node n1 is capped at 1 core; /proc/stat shows the whole host fully busy
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu").v1Hierarchy("cpuacct")
        .v1Quota("cpu", "/dilemma/n1", 100_000, 100_000)
        .process("10", SHARD, "2:cpuacct:/dilemma/n1/shard-ctr", "1:cpu:/dilemma/n1/shard-ctr")
        .process("11", SHARD, "2:cpuacct:/dilemma/n2/shard-ctr", "1:cpu:/dilemma/n2/shard-ctr")
        .v1Usage("cpuacct", "/dilemma/n1", 10_000_000_000L)
        .v1Usage("cpuacct", "/dilemma/n1/shard-ctr", 5_000_000_000L)
        .v1Usage("cpuacct", "/dilemma/n2/shard-ctr", 1_000_000_000L)
        .stat(2, 1000, 0, 0, 0).uptime(100);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("/dilemma/n1"));
    CpuCounters before = reader.read();
    // 2 s of wall time at 1 core = 2 s of capacity: n1 busy 1.5 s, of which its shard 1 s
    host.v1Usage("cpuacct", "/dilemma/n1", 11_500_000_000L)
        .v1Usage("cpuacct", "/dilemma/n1/shard-ctr", 6_000_000_000L)
        .v1Usage("cpuacct", "/dilemma/n2/shard-ctr", 3_000_000_000L)
        .stat(2, 1400, 0, 0, 0).uptime(102);
    CpuCounters after = reader.read();

    assertThat(after.shardCgroups()).containsOnlyKeys("/dilemma/n1/shard-ctr");
    assertThat(after.capacityMicros() - before.capacityMicros()).isEqualTo(2_000_000);
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.shardShare()).isCloseTo(0.5, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.availableShare()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void v1AutoTakesTheParentOfTheProbersOwnCgroupInEachHierarchy() throws IOException {
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu").v1Hierarchy("cpuacct")
        .process("self", "java -jar /app/dilemma-prober.jar probe", "2:cpuacct:/dilemma/n2/prober-ctr", "1:cpu:/dilemma/n2/prober-ctr")
        .v1Quota("cpu", "/dilemma/n2", 50_000, 100_000)
        .v1Quota("cpu", "/dilemma/n1", 200_000, 100_000)
        .process("10", SHARD, "2:cpuacct:/dilemma/n2/shard-ctr", "1:cpu:/dilemma/n2/shard-ctr")
        .process("11", SHARD, "2:cpuacct:/dilemma/n1/shard-ctr", "1:cpu:/dilemma/n1/shard-ctr")
        .v1Usage("cpuacct", "/dilemma/n2", 0).v1Usage("cpuacct", "/dilemma/n1", 0)
        .v1Usage("cpuacct", "/dilemma/n2/shard-ctr", 0).v1Usage("cpuacct", "/dilemma/n1/shard-ctr", 0)
        .stat(2, 0, 0, 0, 0).uptime(10);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("auto"));
    assertThat(reader.describe()).endsWith("the node is cgroup /dilemma/n2");
    CpuCounters before = reader.read();
    // 4 s at 0.5 core = 2 s of capacity; n2 used 1 s, its shard half of it; n1 ran flat out
    host.v1Usage("cpuacct", "/dilemma/n2", 1_000_000_000L).v1Usage("cpuacct", "/dilemma/n2/shard-ctr", 500_000_000L)
        .v1Usage("cpuacct", "/dilemma/n1", 8_000_000_000L).v1Usage("cpuacct", "/dilemma/n1/shard-ctr", 8_000_000_000L)
        .uptime(14);
    CpuCounters after = reader.read();

    assertThat(after.shardCgroups()).containsOnlyKeys("/dilemma/n2/shard-ctr");
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.foreignShare()).isCloseTo(0.25, within(1e-9));
    assertThat(load.shardShare()).isCloseTo(0.25, within(1e-9));
  }

  @Test
  void v1AutoAboveKubepodsIsTheKubeletsCgroupRootNotThePod() throws IOException {
    String prober = "/dilemma/n2/kubepods/burstable/pod-p/prober-ctr";
    String shard = "/dilemma/n2/kubepods/burstable/pod-s/shard-ctr";
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu").v1Hierarchy("cpuacct")
        .process("self", "java -jar /app/dilemma-prober.jar probe", "2:cpuacct:" + prober, "1:cpu:" + prober)
        .v1Quota("cpu", "/dilemma/n2", 25_000, 100_000)
        .process("10", SHARD, "2:cpuacct:" + shard, "1:cpu:" + shard)
        .v1Usage("cpuacct", "/dilemma/n2", 0).v1Usage("cpuacct", shard, 0)
        .stat(2, 0, 0, 0, 0).uptime(10);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("auto"));
    assertThat(reader.describe()).endsWith("the node is cgroup /dilemma/n2");
    CpuCounters before = reader.read();
    // 4 s at a quarter core = 1 s of capacity: the shard took 0.4 s of it, something else 0.2 s
    host.v1Usage("cpuacct", "/dilemma/n2", 600_000_000L).v1Usage("cpuacct", shard, 400_000_000L).uptime(14);
    LiveLoad load = LiveLoad.between(before, reader.read());
    assertThat(load.shardShare()).isCloseTo(0.4, within(1e-9));
    assertThat(load.foreignShare()).isCloseTo(0.2, within(1e-9));
  }

  @Test
  void v2NodePathWithoutALimitHasTheHostsCpusAsCapacity() throws IOException {
    FakeHost host = new FakeHost(dir).v2().v2Max("/dilemma/n1", "max 100000").v2Usage("/dilemma/n1", 1_000_000)
        .stat(4, 0, 0, 0, 0).uptime(0.5);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("/dilemma/n1/"));
    CpuCounters before = reader.read();
    host.v2Usage("/dilemma/n1", 3_000_000).uptime(1.5); // 1 s on 4 cores, 2 s busy
    LiveLoad load = LiveLoad.between(before, reader.read());
    assertThat(load.foreignShare()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void v2AutoTakesTheTightestLimitOfTheNodeAndItsAncestors() throws IOException {
    FakeHost host = new FakeHost(dir).v2()
        .process("self", "java -jar /app/dilemma-prober.jar probe", "0::/dilemma/n1/prober-ctr")
        .v2Max("/dilemma", "150000 100000").v2Max("/dilemma/n1", "max 100000")
        .process("10", SHARD, "0::/dilemma/n1/s").process("11", SHARD, "0::/elsewhere/s")
        .v2Usage("/dilemma/n1", 0).v2Usage("/dilemma/n1/s", 0).v2Usage("/elsewhere/s", 0)
        .stat(4, 0, 0, 0, 0).uptime(20);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("auto"));
    CpuCounters before = reader.read();
    // 2 s at 1.5 cores = 3 s of capacity; 1.5 s busy, 0.6 s of it our shard
    host.v2Usage("/dilemma/n1", 1_500_000).v2Usage("/dilemma/n1/s", 600_000).v2Usage("/elsewhere/s", 9_000_000).uptime(22);
    CpuCounters after = reader.read();

    assertThat(after.capacityMicros() - before.capacityMicros()).isEqualTo(3_000_000);
    assertThat(after.shardCgroups()).containsOnlyKeys("/dilemma/n1/s");
    LiveLoad load = LiveLoad.between(before, after);
    assertThat(load.foreignShare()).isCloseTo(0.3, within(1e-9));
    assertThat(load.shardShare()).isCloseTo(0.2, within(1e-9));
  }

  @Test
  void aQuotaAboveTheHostsCoresCountsOnlyTheHostsCores() throws IOException {
    FakeHost host = new FakeHost(dir).v2().v2Max("/n", "800000 100000").v2Usage("/n", 0).stat(2, 0, 0, 0, 0).uptime(1);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("/n"));
    CpuCounters before = reader.read();
    host.uptime(2);
    assertThat(reader.read().capacityMicros() - before.capacityMicros()).isEqualTo(2_000_000);
  }

  @Test
  void aLimitLoweredBetweenReadingsAppliesToTheTimeSinceTheLastReadingOnly() throws IOException {
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu,cpuacct")
        .v1Quota("cpu,cpuacct", "/n", 200_000, 100_000).v1Usage("cpu,cpuacct", "/n", 0)
        .stat(4, 0, 0, 0, 0).uptime(1000);
    ProcCpuCounters reader = reader(host, NodeCgroup.parse("/n"));
    CpuCounters before = reader.read();
    // capped from 2 cores to 0.5, then 2 s at 0.5 core, all of it busy
    host.v1Quota("cpu,cpuacct", "/n", 50_000, 100_000).v1Usage("cpu,cpuacct", "/n", 1_000_000_000L).uptime(1002);
    CpuCounters after = reader.read();
    assertThat(after.capacityMicros() - before.capacityMicros()).isEqualTo(1_000_000);
    assertThat(LiveLoad.between(before, after).availableShare()).isCloseTo(0, within(1e-9));
  }

  @Test
  void autoInACgroupNamespaceOfItsOwnNamesProcSelfCgroup() throws IOException {
    FakeHost host = new FakeHost(dir).v2().process("self", "java", "0::/").stat(2, 0, 0, 0, 0).uptime(1);
    assertThatThrownBy(() -> reader(host, NodeCgroup.parse("auto")))
        .isInstanceOf(CgroupSettingException.class)
        .hasMessageContaining(host.proc().resolve("self/cgroup").toString())
        .hasMessageContaining("no parent");
  }

  @Test
  void aNodeCgroupThatDoesNotExistIsNamed() throws IOException {
    FakeHost host = new FakeHost(dir).v1Hierarchy("cpu,cpuacct").stat(2, 0, 0, 0, 0).uptime(1);
    assertThatThrownBy(() -> reader(host, NodeCgroup.parse("/dilemma/n9")))
        .isInstanceOf(CgroupSettingException.class)
        .hasMessage("--node-cgroup /dilemma/n9: no such cgroup under " + host.cgroupRoot());
  }

  @Test
  void aRootThatIsNeitherVersionIsNamed() throws IOException {
    FakeHost host = new FakeHost(dir).v1Hierarchy("memory").stat(2, 0, 0, 0, 0);
    assertThatThrownBy(() -> reader(host, new NodeCgroup.WholeHost()))
        .isInstanceOf(CgroupSettingException.class)
        .hasMessageStartingWith(host.cgroupRoot() + ": neither cgroup v2");
  }

  @Test
  void theNodeCgroupSettingIsNoneAutoOrAnAbsolutePath() {
    assertThat(NodeCgroup.parse("none")).isEqualTo(new NodeCgroup.WholeHost());
    assertThat(NodeCgroup.parse("auto")).isEqualTo(new NodeCgroup.ParentOfOwn());
    assertThat(NodeCgroup.parse("/dilemma/n1//")).isEqualTo(new NodeCgroup.Explicit("/dilemma/n1"));
    assertThatThrownBy(() -> NodeCgroup.parse("dilemma/n1")).hasMessageContaining("'dilemma/n1'");
  }
}
