package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Separate hierarchies, one line per hierarchy in /proc/PID/cgroup ({@code 4:cpuacct:/path}, or
 * {@code 3:cpu,cpuacct:/path} where both controllers share a mount): usage is {@code cpuacct.usage}
 * (nanoseconds) in the cpuacct hierarchy, the limit {@code cpu.cfs_quota_us} over {@code
 * cpu.cfs_period_us} (quota -1: none) in the cpu hierarchy.
 *
 * @param cpuacct the mount holding the cpuacct controller
 * @param cpu the mount holding the cpu controller; empty when the host has none, so nothing is capped
 */
public record CgroupV1Cpu(Path cpuacct, Optional<Path> cpu) implements CgroupCpu {

  /**
   * Finds the hierarchies by probing the directories under the root rather than reading
   * /proc/self/mountinfo: inside the prober's container the host's tree is a bind mount whose
   * mountinfo entries name container paths. The mount is called after its controllers ({@code
   * cpuacct}, {@code cpu,cpuacct}, {@code cpuacct,cpu}); a directory counts only if it has the
   * controller's files.
   */
  static CgroupV1Cpu under(Path root) throws IOException {
    Optional<Path> cpuacct = hierarchy(root, "cpuacct", "cpuacct.usage");
    if (cpuacct.isEmpty()) {
      throw new CgroupSettingException(root + ": neither cgroup v2 (no cgroup.controllers) nor a v1 cpuacct hierarchy (no */cpuacct.usage)");
    }
    return new CgroupV1Cpu(cpuacct.get(), hierarchy(root, "cpu", "cpu.cfs_period_us"));
  }

  private static Optional<Path> hierarchy(Path root, String controller, String marker) throws IOException {
    TreeSet<Path> found = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        boolean named = Arrays.asList(entry.getFileName().toString().split(",")).contains(controller);
        if (named && Files.isRegularFile(entry.resolve(marker))) found.add(entry);
      }
    } catch (NoSuchFileException e) {
      throw new CgroupSettingException(root + ": no such directory (the cgroup root, --cgroup-root)");
    }
    return found.stream().findFirst();
  }

  @Override
  public Optional<String> usageCgroupOf(List<String> procCgroupLines) {
    return pathFor("cpuacct", procCgroupLines);
  }

  @Override
  public Optional<String> limitCgroupOf(List<String> procCgroupLines) {
    return pathFor("cpu", procCgroupLines);
  }

  /** The path of the line "ID:CONTROLLERS:PATH" whose controllers include this one. */
  private static Optional<String> pathFor(String controller, List<String> lines) {
    for (String line : lines) {
      String[] fields = line.split(":", 3);
      if (fields.length == 3 && Arrays.asList(fields[1].split(",")).contains(controller)) return Optional.of(fields[2]);
    }
    return Optional.empty();
  }

  @Override
  public OptionalLong usageMicros(String cgroup) throws IOException {
    Path usage = CgroupCpu.directory(cpuacct, cgroup).resolve("cpuacct.usage");
    try {
      return OptionalLong.of(CgroupCpu.number(usage, Files.readString(usage, StandardCharsets.US_ASCII)) / 1000);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public OptionalDouble ownLimitCores(String cgroup) throws IOException {
    if (cpu.isEmpty()) return OptionalDouble.empty();
    Path dir = CgroupCpu.directory(cpu.get(), cgroup);
    Path quotaFile = dir.resolve("cpu.cfs_quota_us");
    Path periodFile = dir.resolve("cpu.cfs_period_us");
    long quota;
    long period;
    try {
      quota = CgroupCpu.number(quotaFile, Files.readString(quotaFile, StandardCharsets.US_ASCII));
      period = CgroupCpu.number(periodFile, Files.readString(periodFile, StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      return OptionalDouble.empty(); // not created in the cpu hierarchy: nothing caps it there
    }
    if (quota < 0) return OptionalDouble.empty();
    if (period <= 0) throw new IOException(periodFile + ": the period must be positive");
    return OptionalDouble.of((double) quota / period);
  }
}
