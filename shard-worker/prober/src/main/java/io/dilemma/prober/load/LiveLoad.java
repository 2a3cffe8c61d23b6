package io.dilemma.prober.load;

/**
 * The node's CPU between two readings.
 *
 * @param availableShare the share of the node's CPU not taken by work other than Dilemma's shards,
 *     in [0, 1]: what the planner may count on
 * @param foreignShare busy CPU share of everything except our shards
 * @param shardShare busy CPU share of our shards; high means a generation is running
 * @param proberShare busy CPU share of the prober itself, which is not foreign either but says
 *     nothing about a generation running
 */
public record LiveLoad(double availableShare, double foreignShare, double shardShare, double proberShare) {

  /**
   * Compares two readings. Our shards' CPU time never counts against the node, or a plan that puts
   * layers on a node would make that node look busy and push the layers off again; nor does the
   * prober's own, or measuring a node would make it look busy. A shard cgroup
   * counts only when both readings have it: one that appeared in between carries CPU time from
   * before the first reading.
   */
  public static LiveLoad between(CpuCounters earlier, CpuCounters later) {
    long capacity = later.capacityMicros() - earlier.capacityMicros();
    if (capacity <= 0) throw new IllegalArgumentException("the later reading is not later: no CPU time passed");
    long busy = Math.max(0, later.busyMicros() - earlier.busyMicros());
    long shard = 0;
    for (var entry : later.shardCgroups().entrySet()) {
      Long before = earlier.shardCgroups().get(entry.getKey());
      if (before != null) shard += Math.max(0, entry.getValue() - before);
    }
    shard = Math.min(shard, busy);
    long prober = Math.min(Math.max(0, later.proberMicros() - earlier.proberMicros()), busy - shard);
    double foreign = (double) (busy - shard - prober) / capacity;
    return new LiveLoad(clamp(1 - foreign), clamp(foreign), clamp((double) shard / capacity), clamp((double) prober / capacity));
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
