package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * One link the plan sends activations or tokens over, with the figures the operator priced it with
 * in its last reconcile and where they came from. No time stamp: an unchanged link must leave the
 * status equal, so the operator can skip the patch.
 *
 * @param from sending node
 * @param to receiving node
 * @param edgeLink the EdgeLink the figures came from; absent for Prometheus figures and for a hop
 *     with no EdgeLink
 * @param bandwidthMbps bandwidth used, Mbit/s, 3 significant digits; absent when nothing was known
 * @param rttMillis round trip used, ms, 3 significant digits; absent when nothing was known
 * @param source one of {@link #SOURCES}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanLinkStatus(
    @JsonPropertyDescription("Sending node.") String from,
    @JsonPropertyDescription("Receiving node.") String to,
    @JsonPropertyDescription("The EdgeLink the figures came from; absent for Prometheus figures and when there is none.")
        String edgeLink,
    @JsonPropertyDescription("Bandwidth the plan was priced with, Mbit/s (3 significant digits).")
        Double bandwidthMbps,
    @JsonPropertyDescription("Round-trip time the plan was priced with, ms (3 significant digits).")
        Double rttMillis,
    @JsonPropertyDescription(
            "Where the figures came from: probe (the prober DaemonSet or another measuring tool),"
                + " prometheus (the operator's link metrics), manual (a person edited the EdgeLink), or"
                + " stale-default (the measurement is older than the operator's TTL and the conservative"
                + " defaults replaced it; without figures: there is no EdgeLink for this hop any more).")
        String source) {

  /** The values of {@code source}; the operator's {@code LinkSource} enum must match. */
  public static final List<String> SOURCES = List.of("probe", "prometheus", "manual", "stale-default");

  /** The figures as the planner holds them (bytes/s, one-way seconds), in the status's units. */
  public static PlanLinkStatus of(
      String from, String to, String edgeLink, double bandwidthBytesPerSecond, double oneWayLatencySeconds, String source) {
    return new PlanLinkStatus(
        from,
        to,
        edgeLink,
        threeDigits(EdgeLinkSpec.mbps(bandwidthBytesPerSecond)),
        threeDigits(EdgeLinkSpec.rttMillis(oneWayLatencySeconds)),
        source);
  }

  /** A hop the plan uses although nothing is known about it. */
  public static PlanLinkStatus unknown(String from, String to, String source) {
    return new PlanLinkStatus(from, to, null, null, null, source);
  }

  /** Readable, and a wobble in the last digits of a measurement does not change the status. */
  private static double threeDigits(double value) {
    if (!Double.isFinite(value) || value == 0) return value;
    return new BigDecimal(value).round(new MathContext(3)).doubleValue();
  }
}
