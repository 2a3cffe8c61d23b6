package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The CPU files of one host's cgroup tree, v1 or v2: which cgroup a process is in, how much CPU a
 * cgroup used, and what its CFS limit is. Cgroup paths are as {@code /proc/<pid>/cgroup} prints
 * them, e.g. {@code /dilemma/n1/0123abcd}.
 */
public sealed interface CgroupCpu permits CgroupV1Cpu, CgroupV2Cpu {

  /**
   * Tells the versions apart the way the kernel lays them out: a v2 mount has {@code
   * cgroup.controllers} at its root; a v1 host has a tmpfs there with one directory per hierarchy,
   * of which the one holding the {@code cpuacct} controller counts usage.
   */
  static CgroupCpu detect(Path root) throws IOException {
    if (Files.isRegularFile(root.resolve("cgroup.controllers"))) return new CgroupV2Cpu(root);
    return CgroupV1Cpu.under(root);
  }

  /** The process's cgroup whose usage counter counts its CPU time, from its /proc/PID/cgroup lines. */
  Optional<String> usageCgroupOf(List<String> procCgroupLines);

  /** The process's cgroup whose CFS quota caps it. */
  Optional<String> limitCgroupOf(List<String> procCgroupLines);

  /** Cumulative CPU time of the cgroup and everything below it; empty when the cgroup is gone. */
  OptionalLong usageMicros(String cgroup) throws IOException;

  /**
   * The cgroup's own CFS limit in cores (quota / period), not its ancestors'; empty when it has
   * none.
   */
  OptionalDouble ownLimitCores(String cgroup) throws IOException;

  /** The cgroup's directory below a hierarchy's mount. */
  static Path directory(Path hierarchy, String cgroup) {
    String relative = cgroup.replaceFirst("^/+", "");
    return relative.isEmpty() ? hierarchy : hierarchy.resolve(relative);
  }

  /** A counter file's number, or an error naming the file. */
  static long number(Path file, String text) throws IOException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IOException(file + ": not a number: " + text.trim());
    }
  }
}
