package io.dilemma.prober.load;

/**
 * Cumulative CPU time counters of one moment, all in microseconds of CPU time.
 *
 * @param capacityMicros all CPU time the node's cores had since boot, busy or idle (from {@code
 *     /proc/stat})
 * @param busyMicros the part of it spent on work, i.e. not idle and not waiting for I/O
 * @param shardMicros the part Dilemma's own shard processes used (their cgroups' {@code
 *     usage_usec}), summed over the shard cgroups in {@code shardCgroups}
 * @param shardCgroups the cgroups counted, so two readings compare the same set
 */
public record CpuCounters(
    long capacityMicros, long busyMicros, long shardMicros, java.util.Map<String, Long> shardCgroups) {
  public CpuCounters {
    shardCgroups = java.util.Map.copyOf(shardCgroups);
  }
}
