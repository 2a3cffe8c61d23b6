package io.dilemma.prober.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The unified hierarchy: one {@code 0::/path} line per process, {@code usage_usec} in {@code
 * cpu.stat}, the limit in {@code cpu.max} ("max 100000" or "QUOTA PERIOD", in microseconds).
 *
 * @param root the cgroup2 mount
 */
public record CgroupV2Cpu(Path root) implements CgroupCpu {

  @Override
  public Optional<String> usageCgroupOf(List<String> procCgroupLines) {
    return procCgroupLines.stream().filter(line -> line.startsWith("0::")).map(line -> line.substring(3)).findFirst();
  }

  @Override
  public Optional<String> limitCgroupOf(List<String> procCgroupLines) {
    return usageCgroupOf(procCgroupLines);
  }

  @Override
  public OptionalLong usageMicros(String cgroup) throws IOException {
    Path stat = CgroupCpu.directory(root, cgroup).resolve("cpu.stat");
    List<String> lines;
    try {
      lines = Files.readAllLines(stat, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
    for (String line : lines) {
      if (line.startsWith("usage_usec ")) return OptionalLong.of(CgroupCpu.number(stat, line.substring(11)));
    }
    throw new IOException(stat + ": no usage_usec line");
  }

  @Override
  public OptionalDouble ownLimitCores(String cgroup) throws IOException {
    Path max = CgroupCpu.directory(root, cgroup).resolve("cpu.max");
    String[] fields;
    try {
      fields = Files.readString(max, StandardCharsets.US_ASCII).trim().split("\\s+");
    } catch (NoSuchFileException e) {
      return OptionalDouble.empty(); // the root, or the cpu controller is not enabled for it: no cap
    }
    if (fields.length != 2) throw new IOException(max + ": expected \"QUOTA PERIOD\", got " + fields.length + " fields");
    if (fields[0].equals("max")) return OptionalDouble.empty();
    long period = CgroupCpu.number(max, fields[1]);
    if (period <= 0) throw new IOException(max + ": the period must be positive");
    return OptionalDouble.of((double) CgroupCpu.number(max, fields[0]) / period);
  }
}
