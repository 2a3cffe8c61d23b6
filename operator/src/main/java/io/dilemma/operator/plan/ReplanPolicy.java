package io.dilemma.operator.plan;

import io.dilemma.api.LLMDeploymentSpec.ReplanPolicySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When to replace a running plan. Pure, so the hysteresis is tested without Kubernetes.
 *
 * <p>A spec change or a plan that no longer fits always replans. Otherwise a better plan must be
 * predicted faster by at least {@code minRelativeImprovement}, and not within the stabilization
 * window after the last replan. Both rules stop thrash: small measurement noise never moves shards,
 * and a flapping link moves them at most once per window.
 */
public final class ReplanPolicy {
  private ReplanPolicy() {}

  /** What to do before solving. */
  public sealed interface Trigger {
    /** Solve and adopt the result, whatever it costs. */
    record Replan(ReplanReason reason) implements Trigger {}

    /** Solve and adopt the result only if {@link #isWorthIt} says so. */
    record LookForImprovement() implements Trigger {}

    /** Keep the running plan without solving; look again at {@code recheckAt} if present. */
    record Keep(Optional<Instant> recheckAt) implements Trigger {}
  }

  /**
   * @param runningPlan whether a plan exists
   * @param specChanged the spec's generation differs from the one the plan was made for
   * @param planViolations why the running plan no longer fits the observed cluster (empty if it fits)
   * @param inputsChanged the planning problem differs from the one last solved
   * @param lastReplan when the plan last changed
   */
  public static Trigger beforeSolve(
      boolean runningPlan,
      boolean specChanged,
      List<String> planViolations,
      boolean inputsChanged,
      Instant lastReplan,
      Instant now,
      ReplanPolicySpec policy) {
    if (!runningPlan) return new Trigger.Replan(ReplanReason.Initial);
    if (specChanged) return new Trigger.Replan(ReplanReason.SpecChanged);
    if (!planViolations.isEmpty()) return new Trigger.Replan(ReplanReason.PlanInfeasible);
    if (!inputsChanged) return new Trigger.Keep(Optional.empty());
    Instant windowEnds =
        lastReplan == null
            ? Instant.MIN
            : lastReplan.plus(Duration.ofSeconds(policy.stabilizationWindowSeconds()));
    if (now.isBefore(windowEnds)) return new Trigger.Keep(Optional.of(windowEnds));
    return new Trigger.LookForImprovement();
  }

  /** True when the candidate is faster than the running plan by at least the policy minimum. */
  public static boolean isWorthIt(
      double runningSeconds, double candidateSeconds, ReplanPolicySpec policy) {
    if (!(runningSeconds > 0) || !Double.isFinite(runningSeconds)) return true;
    double improvement = (runningSeconds - candidateSeconds) / runningSeconds;
    return improvement >= policy.minRelativeImprovement();
  }

  /**
   * The slowest candidate {@link #isWorthIt} accepts against a running plan, so the planner can
   * stop at the first plan that clears it; empty when any plan would do.
   */
  public static Optional<Double> worthItAtOrBelow(double runningSeconds, ReplanPolicySpec policy) {
    if (!(runningSeconds > 0) || !Double.isFinite(runningSeconds)) return Optional.empty();
    // A hair below the exact threshold, so rounding cannot make the accepted plan fail isWorthIt.
    return Optional.of(runningSeconds * (1 - policy.minRelativeImprovement()) * (1 - 1e-9));
  }
}
