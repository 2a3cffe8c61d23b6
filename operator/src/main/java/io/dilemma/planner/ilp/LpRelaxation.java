package io.dilemma.planner.ilp;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LP relaxation of a {@link LinearModel} (every variable in [0, its upper bound]), solved with
 * GLOP, for the dual values of its rows: what one more unit of a row's right side would save.
 */
public final class LpRelaxation {
  static {
    Loader.loadNativeLibraries();
  }

  /**
   * @param objective the LP optimum, a lower bound on the 0-1 optimum; NaN when GLOP did not solve
   * @param duals one per row of {@code rows}, in their order; 0 when GLOP did not solve
   */
  public record Solution(double objective, double[] duals) {}

  private LpRelaxation() {}

  /** Solves the relaxation of every row of the model; returns the duals of {@code rows}. */
  public static Solution solve(LinearModel lm, List<LinearModel.Row> rows) {
    MPSolver solver = MPSolver.createSolver("GLOP");
    if (solver == null) throw new IllegalStateException("GLOP is not available in this OR-Tools build");
    try {
      MPVariable[] vars = new MPVariable[lm.variableCount()];
      for (int j = 0; j < vars.length; j++) vars[j] = solver.makeNumVar(0, lm.upperBound(j), lm.name(j));
      MPConstraint[] constraints = new MPConstraint[rows.size()];
      Map<LinearModel.Row, Integer> wantedAt = new IdentityHashMap<>();
      for (int r = 0; r < rows.size(); r++) wantedAt.put(rows.get(r), r);
      for (LinearModel.Row row : lm.rows()) {
        MPConstraint c = MpSolverBackend.addRow(solver, vars, row);
        Integer wanted = wantedAt.get(row);
        if (wanted != null) constraints[wanted] = c;
      }
      MPObjective objective = solver.objective();
      for (int j = 0; j < vars.length; j++) {
        if (lm.objective(j) != 0) objective.setCoefficient(vars[j], lm.objective(j));
      }
      objective.setMinimization();
      double[] duals = new double[rows.size()];
      if (solver.solve() != MPSolver.ResultStatus.OPTIMAL) return new Solution(Double.NaN, duals);
      for (int r = 0; r < duals.length; r++) duals[r] = constraints[r] == null ? 0 : constraints[r].dualValue();
      return new Solution(objective.value(), duals);
    } finally {
      solver.delete();
    }
  }
}
