package io.dilemma.planner;

/**
 * A machine that can run layers.
 *
 * @param name unique node name
 * @param flopsPerSecond sustained compute throughput G_k
 * @param memoryBandwidth sustained memory bandwidth W_k, bytes/s
 * @param memoryBytes memory available to this planning problem M_k
 * @param tier edge or cloud
 */
public record ComputeNode(
    String name, double flopsPerSecond, double memoryBandwidth, long memoryBytes, Tier tier) {
  public ComputeNode {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("node name is empty");
    if (!(flopsPerSecond > 0)) throw new IllegalArgumentException(name + ": flopsPerSecond must be > 0");
    if (!(memoryBandwidth > 0)) throw new IllegalArgumentException(name + ": memoryBandwidth must be > 0");
    if (memoryBytes < 0) throw new IllegalArgumentException(name + ": memoryBytes must be >= 0");
  }

  public ComputeNode withMemoryBytes(long bytes) {
    return new ComputeNode(name, flopsPerSecond, memoryBandwidth, bytes, tier);
  }
}
