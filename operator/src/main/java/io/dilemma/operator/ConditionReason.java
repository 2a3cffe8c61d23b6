package io.dilemma.operator;

/** Every reason a condition of an LLMDeployment can give. */
public enum ConditionReason {
  // Ready
  AllShardsAvailable,
  RollingOut,
  ShardsUnavailable,
  NotPlanned,
  // Planned
  Solved,
  Infeasible,
  InvalidSpec,
  ProfileUnavailable,
  NoEligibleNodes,
  // Degraded
  AsMeasured,
  NodeMetricsDefaulted,
  StaleLinkMeasurement,
  NodeLost,
  RunningPreviousPlan
}
