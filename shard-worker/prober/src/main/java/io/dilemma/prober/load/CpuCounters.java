package io.dilemma.prober.load;

/**
 * Cumulative CPU time counters of one moment, all in microseconds of CPU time.
 *
 * @param capacityMicros all CPU time the node's cores had, busy or idle: since boot from {@code
 *     /proc/stat} when the host is the node; the node cgroup's CFS limit times the wall time when
 *     it is a cgroup
 * @param busyMicros the part of it spent on work: not idle and not waiting for I/O, or the node
 *     cgroup's usage
 * @param shardMicros the part Dilemma's own shard processes used (their cgroups' usage: v2 {@code
 *     usage_usec}, v1 {@code cpuacct.usage}), summed over the shard cgroups in {@code shardCgroups}
 * @param proberMicros the prober process's own CPU time ({@code /proc/self/stat}): the benchmarks
 *     and probes it runs are Dilemma's work too, and on a quarter-core node they alone would read
 *     as a tenth to a quarter of foreign load
 * @param shardCgroups the cgroups counted, so two readings compare the same set
 */
public record CpuCounters(
    long capacityMicros, long busyMicros, long shardMicros, long proberMicros, java.util.Map<String, Long> shardCgroups) {
  public CpuCounters {
    shardCgroups = java.util.Map.copyOf(shardCgroups);
  }
}
