package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;

/**
 * @param observedGeneration the spec generation this status describes
 * @param conditions Ready, Planned and Degraded
 * @param plan the plan the operator wants running (the newest feasible one)
 * @param servingPlanId the plan whose head the deployment's Service points at
 * @param lastReplanTime when the plan last changed (RFC 3339)
 * @param lastReplanReason why it changed
 * @param links the links the plan sends over, with the figures it was last priced with and their
 *     source, in the order the plan uses them
 * @param lastEvaluation the operator's last look for a better plan while one ran, and its verdict
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LLMDeploymentStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.") Long observedGeneration,
    @JsonPropertyDescription("Ready, Planned and Degraded, each with a reason from a fixed set.")
        List<Condition> conditions,
    @JsonPropertyDescription("The plan the operator wants running: the newest feasible one.")
        PlanStatus plan,
    @JsonPropertyDescription("planId whose head shard the deployment's Service currently points at.")
        String servingPlanId,
    @JsonPropertyDescription("When the plan last changed (RFC 3339).") String lastReplanTime,
    @JsonPropertyDescription(
            "Why the plan last changed: Initial (the first plan), SpecChanged (the spec changed),"
                + " PlanInfeasible (the running plan no longer fits: a node left, went NotReady or lost memory)"
                + " or Improvement (a plan predicted faster by at least the policy's minimum).")
        String lastReplanReason,
    @JsonPropertyDescription(
            "The links the plan sends activations and tokens over, in the order it uses them: the"
                + " bandwidth and RTT the operator last priced it with, and where each came from.")
        List<PlanLinkStatus> links,
    @JsonPropertyDescription(
            "The operator's last look for a better plan while one ran: the running plan's prediction,"
                + " the best found, and whether it cleared the replan policy's threshold (Kept or Replanned).")
        PlanEvaluationStatus lastEvaluation) {

  /** The values of {@code lastReplanReason}; the operator's {@code ReplanReason} enum must match. */
  public static final List<String> REPLAN_REASONS = List.of("Initial", "SpecChanged", "PlanInfeasible", "Improvement");

  public LLMDeploymentStatus {
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    links = links == null ? List.of() : List.copyOf(links);
  }

  /** A status without links. */
  public LLMDeploymentStatus(
      Long observedGeneration,
      List<Condition> conditions,
      PlanStatus plan,
      String servingPlanId,
      String lastReplanTime,
      String lastReplanReason) {
    this(observedGeneration, conditions, plan, servingPlanId, lastReplanTime, lastReplanReason, List.of(), null);
  }

  public Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
