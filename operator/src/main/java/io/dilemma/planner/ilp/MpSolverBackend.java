package io.dilemma.planner.ilp;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

/**
 * Solves a {@link LinearModel} with a classic MIP solver behind OR-Tools' MPSolver: CBC (the solver
 * behind PuLP, which the DILEMMA paper used), SCIP or HiGHS. They take the real coefficients as
 * they are, so there is no rounding; they exist to compare against CP-SAT on the same model.
 */
public final class MpSolverBackend implements IlpBackend {
  public enum Engine {
    CBC("CBC"),
    SCIP("SCIP"),
    HIGHS("HiGHS");

    private final String displayName;

    Engine(String displayName) {
      this.displayName = displayName;
    }

    String solverId() {
      return name();
    }
  }

  static {
    Loader.loadNativeLibraries();
  }

  private final Engine engine;

  public MpSolverBackend(Engine engine) {
    this.engine = engine;
  }

  @Override
  public String name() {
    return engine.displayName;
  }

  /**
   * A backend can end a solve with a status code the Java enum does not list (seen: 99 on a 7B
   * instance of the benchmark); that is an unknown outcome, not a failure of the caller.
   */
  private static MPSolver.ResultStatus solveReportingUnknownStatuses(MPSolver solver) {
    try {
      return solver.solve();
    } catch (IllegalArgumentException unlistedStatus) {
      return MPSolver.ResultStatus.NOT_SOLVED;
    }
  }

  @Override
  public SolveResult solve(SolveRequest request) {
    MPSolver solver = MPSolver.createSolver(engine.solverId());
    if (solver == null) throw new IllegalStateException(engine.displayName + " is not available in this OR-Tools build");
    try {
      LinearModel lm = request.model();
      MPVariable[] vars = new MPVariable[lm.variableCount()];
      for (int j = 0; j < vars.length; j++) vars[j] = solver.makeIntVar(0, lm.upperBound(j), lm.name(j));
      for (LinearModel.Row row : lm.rowsWithout(request.dropped())) addRow(solver, vars, row);
      MPObjective objective = solver.objective();
      for (int j = 0; j < vars.length; j++) {
        if (lm.objective(j) != 0) objective.setCoefficient(vars[j], lm.objective(j));
      }
      objective.setMinimization();
      solver.setTimeLimit(Math.max(1, request.timeLimit().toMillis()));
      long start = System.nanoTime();
      MPSolver.ResultStatus status = solveReportingUnknownStatuses(solver);
      double wall = (System.nanoTime() - start) / 1e9;
      SolverStatus statusName = SolverStatus.of(status);
      if (status != MPSolver.ResultStatus.OPTIMAL && status != MPSolver.ResultStatus.FEASIBLE) {
        return new SolveResult(name(), statusName, null, Double.NaN, Double.NaN, wall, 0);
      }
      double[] values = new double[vars.length];
      for (int j = 0; j < vars.length; j++) values[j] = Math.rint(vars[j].solutionValue());
      double bound = objective.bestBound();
      return new SolveResult(name(), statusName, values, objective.value(), bound, wall, 0);
    } finally {
      solver.delete();
    }
  }

  /** One row of the model as a linear-solver constraint; ±∞ bounds become the solver's own. */
  static MPConstraint addRow(MPSolver solver, MPVariable[] vars, LinearModel.Row row) {
    double infinity = MPSolver.infinity();
    MPConstraint c =
        solver.makeConstraint(
            Double.isInfinite(row.lower()) ? -infinity : row.lower(),
            Double.isInfinite(row.upper()) ? infinity : row.upper(),
            row.name());
    for (LinearModel.Term t : row.terms()) c.setCoefficient(vars[t.variable()], t.coefficient());
    return c;
  }
}
