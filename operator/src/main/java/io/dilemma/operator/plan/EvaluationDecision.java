package io.dilemma.operator.plan;

/** What a search for a better plan than the running one decided; {@code status.lastEvaluation.decision}. */
public enum EvaluationDecision {
  /** No plan found was faster by the replan policy's minimum: the running plan stays. */
  Kept,
  /** The best plan found cleared the threshold and replaces the running one. */
  Replanned
}
