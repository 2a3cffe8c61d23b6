package io.dilemma.planner.ilp;

/**
 * @param solver backend name
 * @param status how the solve ended
 * @param values one value per variable, or null without a solution
 * @param objective objective of the solution in model units (seconds), NaN without one
 * @param bound best proven lower bound in model units
 * @param wallSeconds time spent solving
 * @param roundingBound max error the backend's integer scaling adds to the objective, in model
 *     units (0 for backends that solve in floating point)
 */
public record SolveResult(
    String solver,
    SolverStatus status,
    double[] values,
    double objective,
    double bound,
    double wallSeconds,
    double roundingBound) {
  /** The same result, with time spent before the solve (e.g. a search that did not finish) added. */
  public SolveResult afterSearching(double seconds) {
    return seconds == 0 ? this : new SolveResult(solver, status, values, objective, bound, wallSeconds + seconds, roundingBound);
  }

  public boolean hasSolution() {
    return values != null;
  }

  public boolean provenInfeasible() {
    return status == SolverStatus.INFEASIBLE;
  }

  public double gap() {
    if (!hasSolution() || objective == 0) return hasSolution() ? 0 : Double.NaN;
    return Math.max(0, (objective - bound) / Math.abs(objective));
  }
}
