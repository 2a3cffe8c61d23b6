package io.dilemma.operator.status;

import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.api.PlanEvaluationStatus;
import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanningOutcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Folds one reconcile's findings into the LLMDeployment status. Pure: the same inputs give an
 * equal status, and a condition keeps its lastTransitionTime while its status holds, so an
 * unchanged world produces an equal status and the reconciler can skip the patch.
 */
public final class StatusAggregator {
  public static final String READY = "Ready";
  public static final String PLANNED = "Planned";
  public static final String DEGRADED = "Degraded";

  private StatusAggregator() {}

  /**
   * @param previous the status before this reconcile (never null; may be empty)
   * @param generation the spec generation just reconciled
   * @param outcome what planning concluded
   * @param servingPlanId the plan the head Service selects after this reconcile, or null
   * @param shardSets shard sets in the cluster after this reconcile, by plan id
   * @param observation what was observed, or null when observation did not happen
   * @param lostNodes nodes the running plan used that are gone or not Ready
   * @param rolloutFailure the API server's refusal of this reconcile's writes, or null
   * @param origin the spec's origin node, where the plan's embedding starts and its tokens return;
   *     read only with an observation
   */
  public record Inputs(
      LLMDeploymentStatus previous,
      long generation,
      PlanningOutcome outcome,
      String servingPlanId,
      Map<String, ShardSet> shardSets,
      ClusterObservation observation,
      List<String> lostNodes,
      Instant now,
      String rolloutFailure,
      String origin) {}

  public static LLMDeploymentStatus aggregate(Inputs in) {
    LLMDeploymentStatus previous = in.previous();
    PlanStatus plan =
        in.outcome() instanceof PlanningOutcome.Planned planned ? planned.plan() : previous.plan();
    String lastReplanTime = previous.lastReplanTime();
    String lastReplanReason = previous.lastReplanReason();
    if (in.outcome() instanceof PlanningOutcome.Planned planned && planned.replanned()) {
      lastReplanTime = planned.replannedAt().toString();
      lastReplanReason = planned.reason().name();
    }
    List<Condition> conditions = new ArrayList<>();
    conditions.add(readyCondition(in, plan));
    conditions.add(plannedCondition(in));
    conditions.add(degradedCondition(in, plan));
    List<Condition> stamped =
        conditions.stream().map(c -> keepTransitionTime(c, previous, in)).toList();
    return new LLMDeploymentStatus(
        in.generation(), stamped, plan, in.servingPlanId(), lastReplanTime, lastReplanReason, links(in, plan), lastEvaluation(in));
  }

  /** This reconcile's search for a better plan, or the last one before it. */
  private static PlanEvaluationStatus lastEvaluation(Inputs in) {
    if (!(in.outcome() instanceof PlanningOutcome.Planned p) || p.evaluation() == null) {
      return in.previous().lastEvaluation();
    }
    PlanningOutcome.Evaluation e = p.evaluation();
    return PlanEvaluationStatus.of(
        e.at(), e.runningSeconds(), e.bestFoundSeconds(), e.minRelativeImprovement(), e.decision().name(), e.describe());
  }

  /** Unobserved (the spec cannot be planned), the links keep the figures last seen, as the plan does. */
  private static List<PlanLinkStatus> links(Inputs in, PlanStatus plan) {
    if (in.observation() == null || in.origin() == null) return in.previous().links();
    return plan == null ? List.of() : PlanLinks.of(plan, in.origin(), in.observation());
  }

  private static Condition readyCondition(Inputs in, PlanStatus plan) {
    // Whatever still serves, the plan asked for cannot start: that is what needs a human.
    if (in.rolloutFailure() != null && plan != null) {
      return condition(
          READY,
          false,
          ConditionReason.RolloutFailed,
          "Rolling out plan " + plan.planId() + " failed: " + in.rolloutFailure());
    }
    if (plan == null || in.servingPlanId() == null) {
      return condition(READY, false, ConditionReason.NotPlanned, "No plan is running yet.");
    }
    ShardSet serving = servingSet(in);
    if (!serving.complete()) {
      return condition(
          READY,
          false,
          ConditionReason.ShardsUnavailable,
          serving.available() + " of " + serving.expected() + " shards of plan " + in.servingPlanId() + " are available.");
    }
    if (!plan.planId().equals(in.servingPlanId())) {
      ShardSet desired =
          in.shardSets().getOrDefault(plan.planId(), new ShardSet(plan.shards().size(), 0));
      return condition(
          READY,
          true,
          ConditionReason.RollingOut,
          "Plan " + in.servingPlanId() + " serves while plan " + plan.planId() + " starts ("
              + desired.available() + " of " + plan.shards().size() + " shards available).");
    }
    return condition(
        READY,
        true,
        ConditionReason.AllShardsAvailable,
        "All " + serving.expected() + " shards of plan " + plan.planId() + " are available.");
  }

  private static Condition plannedCondition(Inputs in) {
    if (in.outcome() instanceof PlanningOutcome.Planned p) {
      return condition(PLANNED, true, ConditionReason.Solved, describe(p.plan()));
    }
    if (in.outcome() instanceof PlanningOutcome.Infeasible i) {
      // the explanation is one sentence and already names the smallest feasible budget
      return condition(PLANNED, false, ConditionReason.Infeasible, i.explanation());
    }
    var u = (PlanningOutcome.Unplannable) in.outcome();
    return condition(PLANNED, false, ConditionReason.of(u.cause()), u.message());
  }

  private static Condition degradedCondition(Inputs in, PlanStatus plan) {
    if (!in.lostNodes().isEmpty()) {
      return condition(
          DEGRADED, true, ConditionReason.NodeLost,
          "Nodes gone or not Ready: " + String.join(", ", in.lostNodes()) + ".");
    }
    if (stillRecoveringFromALostNode(in, plan)) {
      return condition(DEGRADED, true, ConditionReason.NodeLost, in.previous().condition(DEGRADED).orElseThrow().getMessage());
    }
    if (lostServingShards(in)) {
      ShardSet serving = servingSet(in);
      return condition(
          DEGRADED, true, ConditionReason.ServingShardLost,
          "Plan " + in.servingPlanId() + " was serving and now has " + serving.available() + " of "
              + serving.expected() + " shards available; requests fail until they return.");
    }
    if (!(in.outcome() instanceof PlanningOutcome.Planned) && plan != null) {
      return condition(
          DEGRADED, true, ConditionReason.RunningPreviousPlan,
          "No new plan could be made; plan " + plan.planId() + " keeps running.");
    }
    if (in.observation() != null && !in.observation().staleLinks().isEmpty()) {
      return condition(
          DEGRADED, true, ConditionReason.StaleLinkMeasurement,
          "EdgeLinks older than the TTL, planned with conservative figures: "
              + String.join(", ", in.observation().staleLinks()) + ".");
    }
    if (in.observation() != null && !in.observation().defaultedNodes().isEmpty()) {
      return condition(
          DEGRADED, true, ConditionReason.NodeMetricsDefaulted,
          "Nodes without dilemma.io/gflops or dilemma.io/memory-bandwidth-gbps, planned with"
              + " capacity-derived defaults: " + String.join(", ", in.observation().defaultedNodes()) + ".");
    }
    return condition(DEGRADED, false, ConditionReason.AsMeasured, "Every input is measured and fresh.");
  }

  /**
   * A serving chain that was whole and lost a shard (a crashed container, an evicted pod). Not a
   * chain that is still starting: that is only not Ready yet. Stays true until the chain is whole
   * again, although Ready already reads False from the reconcile after the loss.
   */
  private static boolean lostServingShards(Inputs in) {
    String serving = in.servingPlanId();
    if (serving == null || servingSet(in).complete()) return false;
    LLMDeploymentStatus previous = in.previous();
    if (!serving.equals(previous.servingPlanId())) return false;
    boolean wasWhole = previous.condition(READY).map(c -> "True".equals(c.getStatus())).orElse(false);
    boolean alreadyLost =
        previous.condition(DEGRADED).map(c -> ConditionReason.ServingShardLost.name().equals(c.getReason())).orElse(false);
    return wasWhole || alreadyLost;
  }

  /** The shard set the head Service selects; empty when none of its Deployments exist. */
  private static ShardSet servingSet(Inputs in) {
    return in.shardSets().getOrDefault(in.servingPlanId(), new ShardSet(0, 0));
  }

  public static String describe(PlanStatus plan) {
    var solver = plan.solver();
    String how =
        solver == null
            ? ""
            : String.format(Locale.ROOT, "%s %s in %.3f s: ", solver.name(), solver.status(), solver.wallSeconds());
    return how
        + String.format(
            Locale.ROOT,
            "%d shards, predicted %.3f s, %.1f%% of 16-bit weight bits.",
            plan.shards().size(),
            plan.predicted().totalSeconds(),
            plan.quantizationPercent());
  }

  /**
   * The plan that replaced one on a lost node is written at once, but the old plan serves until
   * the new one's shards are up: the loss is over only when the new plan serves. Without this, the
   * reconcile right after the replan sees no lost node in the new plan and clears Degraded while
   * requests still pass through the lost node.
   */
  /**
   * A node loss lasts until the plan without the node serves with all its shards: while the old
   * plan still serves through the lost node, and, when the two plans did not fit side by side,
   * while the head Service already selects the new plan whose shards are still starting (nothing
   * answers then). The reconcile right after the replan sees no lost node in the new plan.
   */
  private static boolean stillRecoveringFromALostNode(Inputs in, PlanStatus plan) {
    boolean wasLost = in.previous().condition(DEGRADED)
        .filter(c -> "True".equals(c.getStatus()) && ConditionReason.NodeLost.name().equals(c.getReason()))
        .isPresent();
    if (!wasLost || plan == null || in.servingPlanId() == null) return false;
    if (!in.servingPlanId().equals(plan.planId())) return true;
    ShardSet serving = in.shardSets().get(plan.planId());
    return serving == null || serving.available() < plan.shards().size();
  }

  private static Condition condition(String type, boolean status, ConditionReason reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason.name())
        .withMessage(message)
        .build();
  }

  private static Condition keepTransitionTime(Condition c, LLMDeploymentStatus previous, Inputs in) {
    String since =
        previous
            .condition(c.getType())
            .filter(old -> old.getStatus().equals(c.getStatus()) && old.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(in.now().toString());
    return new ConditionBuilder(c)
        .withLastTransitionTime(since)
        .withObservedGeneration(in.generation())
        .build();
  }
}
