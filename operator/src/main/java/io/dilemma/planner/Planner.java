package io.dilemma.planner;

import java.util.List;

/** Decides placement and per-layer bits. Pure: records in, records out. */
public interface Planner {

  /** Solves one problem. Never throws for an infeasible problem; the Plan explains it. */
  Plan plan(PlanningProblem problem);

  /** How several models that share nodes are planned together. */
  enum MultiModelMode {
    /** One CP-SAT model over all deployments, with a time limit. */
    JOINT,
    /** In the given (priority) order, each on the capacity the earlier ones left. */
    SEQUENTIAL
  }

  /**
   * Plans several models on the same cluster; memory is shared. The problems must use the same
   * cluster; their order is their priority.
   */
  List<Plan> planAll(List<PlanningProblem> problems, MultiModelMode mode);
}
