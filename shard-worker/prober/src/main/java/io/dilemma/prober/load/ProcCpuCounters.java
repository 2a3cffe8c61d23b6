package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the node's CPU counters and the usage of Dilemma's shard processes' cgroups (v1 or v2,
 * detected from the root), below a root that is {@code /} on a plain host and the host's
 * filesystem mounted into the prober pod otherwise ({@code hostPID} for /proc, a read-only hostPath
 * for /sys/fs/cgroup).
 *
 * <p>The node is the whole host ({@code /proc/stat}) or, where several nodes share a machine, one
 * cgroup of it: then its capacity is the cgroup's CFS limit times the wall time and its busy time
 * the cgroup's usage, because /proc/stat would show the other nodes' shards as foreign load.
 *
 * <p>Shard processes are found by their command line (a marker such as the shard-worker's main
 * class), not by Kubernetes labels: the prober needs no permission to read pods across namespaces,
 * and a shard run by hand on the node counts as ours too.
 */
public final class ProcCpuCounters implements CpuCounterSource {
  /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture it supports. */
  static final long MICROS_PER_TICK = 10_000;

  private final Path proc;
  private final CgroupCpu cgroups;
  private final Optional<NodePaths> node;
  private final List<String> shardMarkers;
  /** The node cgroup's capacity, integrated reading by reading so that a changed limit moves it forward only. */
  private long capacityMicros;
  private long lastUptimeMicros = -1;

  /** The node cgroup in the hierarchy that counts its usage, and in the one that caps it. */
  private record NodePaths(String usage, String limit) {}

  private ProcCpuCounters(Path proc, CgroupCpu cgroups, Optional<NodePaths> node, List<String> shardMarkers) {
    this.proc = proc;
    this.cgroups = cgroups;
    this.node = node;
    this.shardMarkers = List.copyOf(shardMarkers);
  }

  /**
   * Detects the cgroup version and finds the node cgroup, so a wrong root or node fails at start.
   *
   * @param proc the /proc to read
   * @param cgroupRoot the cgroup v2 mount, or the directory holding the v1 hierarchies (/sys/fs/cgroup)
   * @param node what the node is
   * @param shardMarkers substrings of a command line that mark a Dilemma shard process
   */
  public static ProcCpuCounters open(Path proc, Path cgroupRoot, NodeCgroup node, List<String> shardMarkers) throws IOException {
    CgroupCpu cgroups = CgroupCpu.detect(cgroupRoot);
    Optional<NodePaths> paths = Optional.empty();
    if (node instanceof NodeCgroup.Explicit explicit) paths = Optional.of(new NodePaths(explicit.path(), explicit.path()));
    if (node instanceof NodeCgroup.ParentOfOwn) paths = Optional.of(parentOfOwn(proc, cgroups));
    if (paths.isPresent() && cgroups.usageMicros(paths.get().usage()).isEmpty()) {
      throw new CgroupSettingException("--node-cgroup " + paths.get().usage() + ": no such cgroup under " + cgroupRoot);
    }
    return new ProcCpuCounters(proc, cgroups, paths, shardMarkers);
  }

  /**
   * With hostPID and no cgroup namespace of its own, /proc/self/cgroup prints the host's path of
   * the prober's container, e.g. /dilemma/n1/kubepods/burstable/podUID/CONTAINER: the node is the
   * kubelet's cgroup root above kubepods (/dilemma/n1), or the container's parent without one.
   */
  private static NodePaths parentOfOwn(Path proc, CgroupCpu cgroups) throws IOException {
    Path self = proc.resolve("self/cgroup");
    List<String> lines = Files.readAllLines(self, StandardCharsets.UTF_8);
    String usage = cgroups.usageCgroupOf(lines)
        .orElseThrow(() -> new CgroupSettingException(self + ": no line names the cgroup that counts the prober's CPU usage"));
    String limit = cgroups.limitCgroupOf(lines).orElse(usage);
    return new NodePaths(parent(self, usage), parent(self, limit));
  }

  private static String parent(Path source, String cgroup) throws IOException {
    String path = cgroup.replaceAll("/+$", "");
    if (path.isEmpty() || !path.startsWith("/")) {
      throw new CgroupSettingException(source + ": the prober's cgroup is '" + cgroup
          + "', which has no parent to be the node (in a cgroup namespace of its own? --node-cgroup auto needs the host's)");
    }
    // A kubelet with QoS cgroups nests pods as <cgroup-root>/kubepods[/<qos>]/pod<uid>/<container>
    // (kubepods.slice/... with the systemd driver): the node is the kubelet's cgroup root, above
    // kubepods, not the pod the container happens to be in.
    var kubepods = java.util.regex.Pattern.compile("/kubepods(\\.slice)?(/|$)").matcher(path);
    if (kubepods.find()) return kubepods.start() == 0 ? "/" : path.substring(0, kubepods.start());
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }

  /** For the start-up log: which cgroup files are read, and what the node is. */
  public String describe() {
    String tree = cgroups instanceof CgroupV1Cpu v1 ? "cgroup v1, usage in " + v1.cpuacct() + v1.cpu().map(c -> ", limits in " + c).orElse("")
        : "cgroup v2 at " + ((CgroupV2Cpu) cgroups).root();
    return tree + "; the node is " + node.map(n -> "cgroup " + n.usage() + (n.limit().equals(n.usage()) ? "" : " (limit " + n.limit() + ")"))
        .orElse("the whole host");
  }

  @Override
  public synchronized CpuCounters read() throws IOException {
    HostCpu host = hostCpu();
    long capacity;
    long busy;
    if (node.isEmpty()) {
      capacity = host.totalMicros();
      busy = host.busyMicros();
    } else {
      capacity = nodeCapacityMicros(host.cpus());
      String usage = node.get().usage();
      busy = cgroups.usageMicros(usage).orElseThrow(() -> new IOException("--node-cgroup " + usage + ": the cgroup is gone"));
    }
    Map<String, Long> shards = shardCgroupUsage();
    long shardMicros = shards.values().stream().mapToLong(Long::longValue).sum();
    return new CpuCounters(capacity, busy, shardMicros, proberMicros(), shards);
  }

  /**
   * The prober's own user and system time, all its threads, from /proc/self/stat: with hostPID
   * (or on a plain host) "self" under the mounted /proc is this process.
   */
  private long proberMicros() throws IOException {
    Path stat = proc.resolve("self/stat");
    String text = Files.readString(stat, StandardCharsets.US_ASCII);
    // the command name in parentheses may itself hold spaces and parentheses: fields follow the last ')'
    String[] fields = text.substring(text.lastIndexOf(')') + 1).trim().split("\\s+");
    if (fields.length < 13) throw new IOException(stat + ": fewer than 15 fields");
    return (CgroupCpu.number(stat, fields[11]) + CgroupCpu.number(stat, fields[12])) * MICROS_PER_TICK;
  }

  /** The aggregate line of /proc/stat, and how many CPUs it has lines for. */
  private record HostCpu(long totalMicros, long busyMicros, int cpus) {}

  private HostCpu hostCpu() throws IOException {
    Path stat = proc.resolve("stat");
    long[] ticks = null;
    int cpus = 0;
    for (String line : Files.readAllLines(stat, StandardCharsets.US_ASCII)) {
      if (line.startsWith("cpu ")) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 5) throw new IOException(stat + ": the cpu line has fewer than 4 counters");
        ticks = new long[fields.length - 1];
        for (int i = 1; i < fields.length; i++) ticks[i - 1] = CgroupCpu.number(stat, fields[i]);
      } else if (line.matches("cpu\\d+\\s.*")) {
        cpus++;
      }
    }
    if (ticks == null) throw new IOException(stat + ": no aggregate cpu line");
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    long total = 0;
    for (int i = 0; i < Math.min(8, ticks.length); i++) total += ticks[i];
    long idle = ticks[3] + (ticks.length > 4 ? ticks[4] : 0);
    return new HostCpu(total * MICROS_PER_TICK, (total - idle) * MICROS_PER_TICK, Math.max(1, cpus));
  }

  /**
   * The wall time since the last reading times the cores the node may use now: the tightest CFS
   * limit of the node cgroup and its ancestors, and never more than the host has.
   */
  private long nodeCapacityMicros(int hostCpus) throws IOException {
    long uptime = uptimeMicros();
    double cores = hostCpus;
    for (String cgroup = node.get().limit(); cgroup != null; cgroup = ancestor(cgroup)) {
      OptionalDouble limit = cgroups.ownLimitCores(cgroup);
      if (limit.isPresent()) cores = Math.min(cores, limit.getAsDouble());
    }
    long elapsed = lastUptimeMicros < 0 ? uptime : Math.max(0, uptime - lastUptimeMicros);
    capacityMicros += Math.round(cores * elapsed);
    lastUptimeMicros = uptime;
    return capacityMicros;
  }

  private static String ancestor(String cgroup) {
    if (cgroup.equals("/")) return null;
    int slash = cgroup.lastIndexOf('/');
    return slash <= 0 ? "/" : cgroup.substring(0, slash);
  }

  private long uptimeMicros() throws IOException {
    Path uptime = proc.resolve("uptime");
    String[] fields = Files.readString(uptime, StandardCharsets.US_ASCII).trim().split("\\s+");
    try {
      return Math.round(Double.parseDouble(fields[0]) * 1e6);
    } catch (NumberFormatException e) {
      throw new IOException(uptime + ": not a number of seconds: " + fields[0]);
    }
  }

  /** Usage per cgroup that holds at least one shard process (on this node, when it is a cgroup). */
  private Map<String, Long> shardCgroupUsage() throws IOException {
    Map<String, Long> usage = new TreeMap<>();
    for (String cgroup : shardCgroups()) {
      // empty: the shard exited between listing and reading, and simply is not counted this time
      OptionalLong micros = cgroups.usageMicros(cgroup);
      if (micros.isPresent()) usage.put(cgroup, micros.getAsLong());
    }
    return usage;
  }

  private TreeSet<String> shardCgroups() throws IOException {
    TreeSet<String> found = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : entries) {
        List<String> cgroupLines;
        try {
          String cmdline = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (shardMarkers.stream().noneMatch(cmdline::contains)) continue;
          cgroupLines = Files.readAllLines(pid.resolve("cgroup"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException | AccessDeniedException e) {
          continue; // exited, or not ours to read
        }
        cgroups.usageCgroupOf(cgroupLines).filter(this::onThisNode).ifPresent(found::add);
      }
    }
    return found;
  }

  /** On a node that is a cgroup, the other nodes' shards on the same host are not this node's. */
  private boolean onThisNode(String cgroup) {
    if (node.isEmpty()) return true;
    String nodeCgroup = node.get().usage();
    return nodeCgroup.equals("/") || cgroup.startsWith(nodeCgroup + "/");
  }
}
