package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * @param observedAt when the spec's figures were last measured or confirmed (RFC 3339)
 * @param source who measured them
 * @param observedGeneration the spec generation that observation belongs to
 * @param samples how many raw measurements the spec's smoothed figures summarise (probe only)
 * @param bandwidthMbpsMin smallest raw bandwidth in the probe's window
 * @param bandwidthMbpsMax largest raw bandwidth in the probe's window
 * @param rttMillisMin smallest raw RTT in the probe's window
 * @param rttMillisMax largest raw RTT in the probe's window
 * @param problem why the planner cannot use this link (a self-link, a node that does not exist),
 *     or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EdgeLinkStatus(
    @JsonPropertyDescription(
            "When the bandwidth and RTT in spec were last measured or confirmed (RFC 3339). Older"
                + " than the operator's TTL, the link is treated as unknown.")
        String observedAt,
    @JsonPropertyDescription(
            "Who measured the link: `spec` when a person or tool edited the spec (stamped by the"
                + " operator), `probe` for the prober DaemonSet, or the name of another probe.")
        String source,
    @JsonPropertyDescription("The metadata.generation of the spec this observation belongs to.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "How many raw measurements the smoothed spec figures summarise, since the probe started.")
        Long samples,
    @JsonPropertyDescription("Smallest raw bandwidth in the probe's recent window, Mbit/s.")
        Double bandwidthMbpsMin,
    @JsonPropertyDescription("Largest raw bandwidth in the probe's recent window, Mbit/s.")
        Double bandwidthMbpsMax,
    @JsonPropertyDescription("Smallest raw RTT in the probe's recent window, ms.") Double rttMillisMin,
    @JsonPropertyDescription("Largest raw RTT in the probe's recent window, ms.") Double rttMillisMax,
    @JsonPropertyDescription(
            "Why the planner ignores this link, e.g. a node that does not exist or from equal to"
                + " to; absent when the link is usable.")
        String problem) {

  public static final String SOURCE_SPEC = "spec";
  public static final String SOURCE_PROBE = "probe";
  /** Set by the operator on the figures it reads from Prometheus; never stored on an EdgeLink. */
  public static final String SOURCE_PROMETHEUS = "prometheus";

  /** A stamp without the probe's window: a person's spec edit, or a Prometheus sample. */
  public EdgeLinkStatus(String observedAt, String source, Long observedGeneration) {
    this(observedAt, source, observedGeneration, null, null, null, null, null, null);
  }

  /** A probe's observation, with its window. */
  public EdgeLinkStatus(
      String observedAt,
      String source,
      Long observedGeneration,
      Long samples,
      Double bandwidthMbpsMin,
      Double bandwidthMbpsMax,
      Double rttMillisMin,
      Double rttMillisMax) {
    this(observedAt, source, observedGeneration, samples, bandwidthMbpsMin, bandwidthMbpsMax, rttMillisMin, rttMillisMax, null);
  }

  public EdgeLinkStatus withProblem(String problem) {
    return new EdgeLinkStatus(
        observedAt, source, observedGeneration, samples, bandwidthMbpsMin, bandwidthMbpsMax, rttMillisMin, rttMillisMax, problem);
  }
}
