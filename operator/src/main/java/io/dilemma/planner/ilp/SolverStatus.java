package io.dilemma.planner.ilp;

import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.sat.CpSolverStatus;

/** How a solve ended, the same for every backend; each backend's own status maps here once. */
public enum SolverStatus {
  /** Proven best within the model's rounding. */
  OPTIMAL,
  /** A solution, not proven best (usually the time limit). */
  FEASIBLE,
  /** Proven to have no solution. */
  INFEASIBLE,
  /** No solution found and none ruled out (usually the time limit). */
  UNKNOWN,
  /** The backend rejected the model: a bug in building it. */
  MODEL_INVALID;

  public boolean hasSolution() {
    return this == OPTIMAL || this == FEASIBLE;
  }

  public static SolverStatus of(CpSolverStatus status) {
    return named(status.name());
  }

  public static SolverStatus of(MPSolver.ResultStatus status) {
    return named(status.name());
  }

  /**
   * Both OR-Tools enums spell the four outcomes we distinguish alike; whatever else they report
   * (CP-SAT's UNKNOWN, the MIP solvers' NOT_SOLVED, ABNORMAL, UNBOUNDED) leaves no usable answer.
   */
  private static SolverStatus named(String name) {
    return switch (name) {
      case "OPTIMAL", "FEASIBLE", "INFEASIBLE", "MODEL_INVALID" -> valueOf(name);
      default -> UNKNOWN;
    };
  }
}
