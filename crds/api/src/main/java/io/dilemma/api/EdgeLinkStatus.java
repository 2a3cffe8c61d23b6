package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * @param observedAt when the spec's figures were last measured or confirmed (RFC 3339)
 * @param source who measured them
 * @param observedGeneration the spec generation that observation belongs to
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
                + " operator), or the name of a probe.")
        String source,
    @JsonPropertyDescription("The metadata.generation of the spec this observation belongs to.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "Why the planner ignores this link, e.g. a node that does not exist or from equal to"
                + " to; absent when the link is usable.")
        String problem) {

  public static final String SOURCE_SPEC = "spec";

  public EdgeLinkStatus(String observedAt, String source, Long observedGeneration) {
    this(observedAt, source, observedGeneration, null);
  }

  public EdgeLinkStatus withProblem(String problem) {
    return new EdgeLinkStatus(observedAt, source, observedGeneration, problem);
  }
}
