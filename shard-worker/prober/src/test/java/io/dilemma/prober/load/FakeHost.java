package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A host's /proc and cgroup tree as files under a test's directory: /proc/stat, /proc/uptime,
 * processes with a command line and /proc/PID/cgroup lines, and cgroup v2 or v1 counter and limit
 * files.
 */
final class FakeHost {
  static final String SHARD = "java -cp x io.dilemma.worker.cli.ShardWorkerCli serve";

  private final Path root;

  FakeHost(Path root) throws IOException {
    this.root = root;
    proberCpu(0, 0);
  }

  /** The prober's own /proc/self/stat, with its user and system time in ticks of 10 ms. */
  FakeHost proberCpu(long userTicks, long systemTicks) throws IOException {
    write(proc().resolve("self/stat"),
        "4242 (java (prober) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 " + userTicks + " " + systemTicks + " 0 0 20 0 30 0 12345 0 0\n");
    return this;
  }

  Path proc() {
    return root.resolve("proc");
  }

  Path cgroupRoot() {
    return root.resolve("sys/fs/cgroup");
  }

  /** The aggregate line (user nice system idle iowait irq softirq steal guest guest_nice) and cpus lines, in ticks of 10 ms. */
  FakeHost stat(int cpus, long user, long system, long idle, long iowait) throws IOException {
    StringBuilder text = new StringBuilder("cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 0 0\n");
    for (int i = 0; i < cpus; i++) text.append("cpu").append(i).append(" 1 0 1 1 0 0 0 0 0 0\n");
    write(proc().resolve("stat"), text.append("intr 12 0\n").toString());
    return this;
  }

  FakeHost uptime(double seconds) throws IOException {
    write(proc().resolve("uptime"), seconds + " 1.00\n");
    return this;
  }

  /** A process whose /proc/PID/cgroup has these lines; pid "self" is the prober itself. */
  FakeHost process(String pid, String cmdline, String... cgroupLines) throws IOException {
    Path dir = proc().resolve(pid);
    Files.createDirectories(dir);
    Files.write(dir.resolve("cmdline"), cmdline.replace(' ', '\0').getBytes());
    write(dir.resolve("cgroup"), String.join("\n", cgroupLines) + "\n");
    return this;
  }

  /** The unified hierarchy: cgroup.controllers at the root. */
  FakeHost v2() throws IOException {
    write(cgroupRoot().resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    return this;
  }

  FakeHost v2Usage(String cgroup, long usec) throws IOException {
    write(v2Dir(cgroup).resolve("cpu.stat"), "usage_usec " + usec + "\nuser_usec 1\nsystem_usec 1\n");
    return this;
  }

  /** cpu.max: "max 100000" for none. */
  FakeHost v2Max(String cgroup, String max) throws IOException {
    write(v2Dir(cgroup).resolve("cpu.max"), max + "\n");
    return this;
  }

  private Path v2Dir(String cgroup) {
    return CgroupCpu.directory(cgroupRoot(), cgroup);
  }

  /** A v1 hierarchy mounted as this name (cpu, cpuacct, cpu,cpuacct, memory...), with its root's files. */
  FakeHost v1Hierarchy(String mount) throws IOException {
    Path dir = cgroupRoot().resolve(mount);
    Files.createDirectories(dir);
    List<String> controllers = List.of(mount.split(","));
    if (controllers.contains("cpuacct")) write(dir.resolve("cpuacct.usage"), "999999999999\n");
    if (controllers.contains("cpu")) {
      write(dir.resolve("cpu.cfs_period_us"), "100000\n");
      write(dir.resolve("cpu.cfs_quota_us"), "-1\n");
    }
    if (controllers.contains("memory")) write(dir.resolve("memory.usage_in_bytes"), "1\n");
    return this;
  }

  FakeHost v1Usage(String mount, String cgroup, long nanos) throws IOException {
    write(CgroupCpu.directory(cgroupRoot().resolve(mount), cgroup).resolve("cpuacct.usage"), nanos + "\n");
    return this;
  }

  /** cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us. */
  FakeHost v1Quota(String mount, String cgroup, long quotaMicros, long periodMicros) throws IOException {
    Path dir = CgroupCpu.directory(cgroupRoot().resolve(mount), cgroup);
    write(dir.resolve("cpu.cfs_quota_us"), quotaMicros + "\n");
    write(dir.resolve("cpu.cfs_period_us"), periodMicros + "\n");
    return this;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
