package io.dilemma.operator.plan;

/** Why the operator replaced (or first made) a plan; the label of dilemma_replans_total. */
public enum ReplanReason {
  /** There was no plan yet. */
  Initial,
  /** The spec changed since the running plan was made. */
  SpecChanged,
  /** The running plan no longer fits the cluster: a node left, went NotReady, or lost memory. */
  PlanInfeasible,
  /** A new plan is predicted faster by at least the policy's minimum, after the window. */
  Improvement
}
