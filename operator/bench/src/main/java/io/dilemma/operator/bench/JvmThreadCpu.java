package io.dilemma.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the JVM's own threads (the JIT compilers, the garbage collector), which no Java API
 * reports: read from /proc/self/task. A fresh JVM compiles the operator, fabric8 and Jackson
 * while the cold start runs, and that compiling is part of the operator's CPU there.
 */
final class JvmThreadCpu {
  static final String JIT = "jit";
  static final String GC = "gc";
  /** USER_HZ, the unit of /proc's utime and stime: 100 on every Linux the bench runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private JvmThreadCpu() {}

  /** Ticks spent so far by the live threads of each kind; empty where there is no /proc. */
  static Map<String, Long> byKind() {
    Map<String, Long> ticks = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String kind = kind(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
          if (kind == null) return;
          // After the name: state, then 10 fields, then utime and stime (proc(5) fields 14, 15).
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks.merge(kind, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException noProc) {
      return Map.of();
    }
    return ticks;
  }

  /** Seconds of {@code kind} between two readings (compiler and GC threads live as long as the JVM). */
  static double seconds(Map<String, Long> before, Map<String, Long> after, String kind) {
    return (after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L)) / TICKS_PER_SECOND;
  }

  static String kind(String threadName) {
    if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) return JIT;
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) return GC;
    return null;
  }
}
