package io.dilemma.planner;

/**
 * One direction of a network path.
 *
 * @param from sending node
 * @param to receiving node
 * @param bandwidth bytes/s
 * @param latencySeconds one-way latency (half the RTT when only RTT is known)
 */
public record Link(String from, String to, double bandwidth, double latencySeconds) {
  public Link {
    if (!(bandwidth > 0)) throw new IllegalArgumentException(from + "->" + to + ": bandwidth must be > 0");
    if (latencySeconds < 0) throw new IllegalArgumentException(from + "->" + to + ": latency must be >= 0");
  }
}
