package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code /proc/stat} and the cgroup v2 {@code cpu.stat} of Dilemma's shard processes, below
 * a root that is {@code /} on a plain host and the host's filesystem mounted into the prober pod
 * otherwise ({@code hostPID} for /proc, a read-only hostPath for /sys/fs/cgroup).
 *
 * <p>Shard processes are found by their command line (a marker such as the shard-worker's main
 * class), not by Kubernetes labels: the prober needs no permission to read pods across namespaces,
 * and a shard run by hand on the node counts as ours too.
 */
public final class ProcCpuCounters implements CpuCounterSource {
  /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture it supports. */
  static final long MICROS_PER_TICK = 10_000;

  private final Path proc;
  private final Path cgroupRoot;
  private final List<String> shardMarkers;

  /**
   * @param proc the /proc to read
   * @param cgroupRoot the cgroup v2 mount, e.g. /sys/fs/cgroup
   * @param shardMarkers substrings of a command line that mark a Dilemma shard process
   */
  public ProcCpuCounters(Path proc, Path cgroupRoot, List<String> shardMarkers) {
    this.proc = proc;
    this.cgroupRoot = cgroupRoot;
    this.shardMarkers = List.copyOf(shardMarkers);
  }

  @Override
  public CpuCounters read() throws IOException {
    long[] ticks = cpuLine(proc.resolve("stat"));
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    long total = 0;
    for (int i = 0; i < Math.min(8, ticks.length); i++) total += ticks[i];
    long idle = ticks[3] + (ticks.length > 4 ? ticks[4] : 0);
    Map<String, Long> shards = shardCgroupUsage();
    long shardMicros = shards.values().stream().mapToLong(Long::longValue).sum();
    return new CpuCounters(total * MICROS_PER_TICK, (total - idle) * MICROS_PER_TICK, shardMicros, shards);
  }

  private static long[] cpuLine(Path stat) throws IOException {
    for (String line : Files.readAllLines(stat, StandardCharsets.US_ASCII)) {
      if (line.startsWith("cpu ")) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 5) throw new IOException(stat + ": the cpu line has fewer than 4 counters");
        long[] ticks = new long[fields.length - 1];
        for (int i = 1; i < fields.length; i++) ticks[i - 1] = Long.parseLong(fields[i]);
        return ticks;
      }
    }
    throw new IOException(stat + ": no aggregate cpu line");
  }

  /** usage_usec per cgroup that holds at least one shard process. */
  private Map<String, Long> shardCgroupUsage() throws IOException {
    Map<String, Long> usage = new TreeMap<>();
    for (String cgroup : shardCgroups()) {
      Path stat = cgroupRoot.resolve(cgroup.replaceFirst("^/+", "")).resolve("cpu.stat");
      try {
        for (String line : Files.readAllLines(stat, StandardCharsets.US_ASCII)) {
          if (line.startsWith("usage_usec ")) usage.put(cgroup, Long.parseLong(line.substring(11).trim()));
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // the shard exited between listing and reading: it simply is not counted this time
      }
    }
    return usage;
  }

  private List<String> shardCgroups() throws IOException {
    Map<String, Boolean> cgroups = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : entries) {
        String cmdline;
        List<String> cgroupLines;
        try {
          cmdline = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (shardMarkers.stream().noneMatch(cmdline::contains)) continue;
          cgroupLines = Files.readAllLines(pid.resolve("cgroup"), StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
          continue; // exited, or not ours to read
        }
        for (String line : cgroupLines) {
          // cgroup v2: "0::/path"
          if (line.startsWith("0::")) cgroups.put(line.substring(3), true);
        }
      }
    }
    return List.copyOf(new TreeMap<>(cgroups).keySet());
  }
}
