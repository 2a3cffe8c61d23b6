package io.dilemma.operator.plan;

import io.dilemma.api.PlanStatus;
import java.time.Instant;

/** What this reconcile's planning step concluded. */
public sealed interface PlanningOutcome {
  /**
   * Whether the spec itself was refused. Its worker settings then stay off every pod: the running
   * plan keeps running as it was written, not rebuilt from what was refused.
   */
  default boolean refusesTheSpec() {
    return this instanceof Unplannable u && (u.cause() == Cause.InvalidSpec || u.cause() == Cause.ImageNotAllowed);
  }

  /** A plan is wanted; {@code replanned} when it replaced the previous one in this reconcile. */
  record Planned(PlanStatus plan, ReplanReason reason, Instant replannedAt) implements PlanningOutcome {
    public boolean replanned() {
      return replannedAt != null;
    }
  }

  /** The planner proved no plan fits; the previous plan (if any) keeps running. */
  record Infeasible(String explanation, Double minimalFeasibleBudget) implements PlanningOutcome {}

  /** No problem could be built; {@code cause} says which input is at fault. */
  record Unplannable(Cause cause, String message) implements PlanningOutcome {}

  /** Which input keeps a problem from being built. */
  enum Cause {
    InvalidSpec,
    ProfileUnavailable,
    NoEligibleNodes,
    ImageNotAllowed
  }
}
