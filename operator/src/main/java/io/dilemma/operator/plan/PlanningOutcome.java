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

  /**
   * A plan is wanted; {@code replanned} when it replaced the previous one in this reconcile.
   * {@code evaluation} is present when this reconcile searched for a better plan than the running
   * one, whatever it decided.
   */
  record Planned(PlanStatus plan, ReplanReason reason, Instant replannedAt, Evaluation evaluation) implements PlanningOutcome {
    public boolean replanned() {
      return replannedAt != null;
    }
  }

  /**
   * A search for a better plan while one runs, both priced on the figures of {@code at}.
   *
   * @param bestFoundSeconds empty when no plan fit
   */
  record Evaluation(
      Instant at, double runningSeconds, java.util.OptionalDouble bestFoundSeconds, double minRelativeImprovement, EvaluationDecision decision) {
    /** The decision and its figures in one sentence, for the status and the Event. */
    public String describe() {
      String running = String.format(java.util.Locale.ROOT, "The running plan predicts %.3f s on the current figures", runningSeconds);
      if (bestFoundSeconds.isEmpty()) {
        return running + "; no other plan fits: kept.";
      }
      double best = bestFoundSeconds.getAsDouble();
      double faster = runningSeconds > 0 ? (runningSeconds - best) / runningSeconds : 0;
      return running
          + String.format(
              java.util.Locale.ROOT,
              "; the best plan found predicts %.3f s (%.1f %% faster, a replan needs %.0f %%): %s.",
              best, 100 * faster, 100 * minRelativeImprovement,
              decision == EvaluationDecision.Kept ? "kept" : "replanned");
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
