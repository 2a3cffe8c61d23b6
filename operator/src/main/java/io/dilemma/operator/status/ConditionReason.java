package io.dilemma.operator.status;

import io.dilemma.operator.plan.PlanningOutcome;

/** Every reason a condition of an LLMDeployment can give. */
public enum ConditionReason {
  // Ready
  AllShardsAvailable,
  RollingOut,
  ShardsUnavailable,
  NotPlanned,
  RolloutFailed,
  // Planned
  Solved,
  Infeasible,
  InvalidSpec,
  ProfileUnavailable,
  NoEligibleNodes,
  ImageNotAllowed,
  // Degraded
  AsMeasured,
  NodeMetricsDefaulted,
  StaleLinkMeasurement,
  NodeLost,
  ServingShardLost,
  RunningPreviousPlan;

  /** The Planned condition's reason when no problem could be built. */
  public static ConditionReason of(PlanningOutcome.Cause cause) {
    return switch (cause) {
      case InvalidSpec -> InvalidSpec;
      case ProfileUnavailable -> ProfileUnavailable;
      case NoEligibleNodes -> NoEligibleNodes;
      case ImageNotAllowed -> ImageNotAllowed;
    };
  }
}
