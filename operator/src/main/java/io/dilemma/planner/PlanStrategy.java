package io.dilemma.planner;

/**
 * What decides a deployment's plan. The joint ILP is what Dilemma is for; the others are the
 * baselines it is measured against, selectable so that each can be rolled out as real pods on the
 * same cluster and its completion time measured beside the ILP's.
 */
public enum PlanStrategy {
  /** Placement, bits and ρ chosen together by the ILP. */
  JOINT_ILP,
  /** Everything on the origin at 16 bits: no split, no quantization. */
  ALL_ON_ORIGIN_16_BITS,
  /** The ILP's placement with every layer at 8 bits. */
  UNIFORM_8_BITS,
  /** exo's rule: contiguous runs sized by each node's memory, at 16 bits. */
  MEMORY_PROPORTIONAL,
  /** Every layer on the one node that runs them fastest. */
  BEST_SINGLE_NODE
}
