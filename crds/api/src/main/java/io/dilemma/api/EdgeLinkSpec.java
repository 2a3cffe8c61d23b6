package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * @param from sending node
 * @param to receiving node
 * @param bandwidthMbps sustained throughput, at most 1 Tbit/s
 * @param rttMillis round-trip time, at most ten minutes; the planner charges half of it per one-way
 *     hop
 */
public record EdgeLinkSpec(
    @Required @JsonPropertyDescription("Name of the sending Kubernetes node.") String from,
    @Required @JsonPropertyDescription("Name of the receiving Kubernetes node.") String to,
    @Required
        @Min(value = 0, inclusive = false)
        @Max(1e6)
        @JsonPropertyDescription("Sustained bandwidth from `from` to `to`, in megabits per second.")
        double bandwidthMbps,
    @Required
        @Min(0)
        @Max(600000)
        @JsonPropertyDescription("Round-trip time between the two nodes, in milliseconds.")
        double rttMillis) {

  public double bandwidthBytesPerSecond() {
    return bandwidthMbps * 1e6 / 8;
  }

  public double oneWayLatencySeconds() {
    return rttMillis / 2000;
  }

  /** The inverse of {@link #bandwidthBytesPerSecond()}: bytes/s in this spec's Mbit/s. */
  public static double mbps(double bytesPerSecond) {
    return bytesPerSecond * 8 / 1e6;
  }

  /** The inverse of {@link #oneWayLatencySeconds()}: a one-way latency as this spec's RTT in ms. */
  public static double rttMillis(double oneWayLatencySeconds) {
    return oneWayLatencySeconds * 2000;
  }
}
