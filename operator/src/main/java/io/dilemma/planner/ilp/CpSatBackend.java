package io.dilemma.planner.ilp;

import com.google.ortools.Loader;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverSolutionCallback;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.SatParameters;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import java.util.Map;

/**
 * Solves a {@link LinearModel} with CP-SAT. CP-SAT needs integer coefficients, so:
 *
 * <ul>
 *   <li>the objective (seconds) is counted in units of a resolution chosen per model: the power of
 *       ten that maps the largest coefficient to at most {@value #OBJECTIVE_UNITS} units; each
 *       coefficient is rounded to the nearest unit, so the objective of any solution is off by at
 *       most ½ unit per active term ({@link SolveResult#roundingBound()});
 *   <li>a ≤ row with fractional coefficients (the quality budget) is scaled by a power of ten,
 *       coefficients rounded <em>up</em> and the right side down, so whatever CP-SAT accepts also
 *       fits the true budget.
 * </ul>
 */
public final class CpSatBackend implements IlpBackend {
  static final double OBJECTIVE_UNITS = 1e8;
  private static final double ROW_UNITS = 1e12;

  static {
    Loader.loadNativeLibraries();
  }

  /**
   * Below this many variables one worker is fastest; above, a second one runs LNS alongside. The
   * 7B-class models (≈2,100–2,200 variables) are below it: with the full LP (see {@link #solve})
   * one worker proved the opt-6.7b example optimal where two did not within 10 s. So is the 70B
   * family (≈9,600): with the full LP its proof closes at the root after ~10 conflicts, the same
   * deterministic work with one worker or two, and a second worker on the two shared cores only
   * took CPU from the first (PLANNER.md, "CP-SAT parameters"). The stress family (≈25,000) keeps
   * two.
   */
  static final int SMALL_MODEL_VARIABLES = 12_000;

  /**
   * From this many variables presolve runs one pass. On the 70B family (≈9,600 variables) the
   * repeated passes spent ~1.4 of 2.2 deterministic seconds in FindBigAtMostOneAndLinearOverlap
   * before a proof that then closes at the root; one pass: 0.8, proven on every seed. On the
   * 7B-class models and the examples (≤ 2,200) one pass made the proof far longer (the opt-6.7b
   * example unproven in 10 s, 7B seed 2 3.65 instead of 0.24 deterministic s), so they keep the
   * default (PLANNER.md, "CP-SAT parameters").
   */
  static final int ONE_PRESOLVE_PASS_VARIABLES = 5_000;

  private final int workers;

  /**
   * @param workers CP-SAT search workers, or 0 to choose by model size: 1 for small models, 2 (the
   *     target machine's cores) for larger ones (PLANNER.md, "Tuning", has the 1 vs 2 vs 8
   *     measurement)
   */
  public CpSatBackend(int workers) {
    this.workers = workers;
  }

  static int workersFor(int configured, int variables) {
    if (configured > 0) return configured;
    return variables < SMALL_MODEL_VARIABLES ? 1 : 2;
  }

  /** Presolve passes for a model of this size; 0 keeps CP-SAT's default. */
  static int presolvePassesFor(int variables) {
    return variables >= ONE_PRESOLVE_PASS_VARIABLES ? 1 : 0;
  }

  @Override
  public String name() {
    return "CP-SAT";
  }

  @Override
  public SolveResult solve(SolveRequest request) {
    LinearModel lm = request.model();
    CpModel model = new CpModel();
    IntVar[] vars = new IntVar[lm.variableCount()];
    for (int j = 0; j < vars.length; j++) {
      vars[j] = model.newIntVar(0, (long) lm.upperBound(j), lm.name(j));
    }
    for (LinearModel.Row row : lm.rowsWithout(request.dropped())) {
      addRow(model, vars, row);
    }
    double resolution = objectiveResolution(lm);
    LinearExprBuilder objective = LinearExpr.newBuilder();
    for (int j = 0; j < vars.length; j++) {
      long units = Math.round(lm.objective(j) / resolution);
      if (units != 0) objective.addTerm(vars[j], units);
    }
    model.minimize(objective);
    for (Map.Entry<Integer, Integer> hint : request.hint().entrySet()) {
      model.addHint(vars[hint.getKey()], hint.getValue());
    }

    CpSolver solver = new CpSolver();
    solver.getParameters().setMaxTimeInSeconds(request.timeLimit().toMillis() / 1000.0);
    solver.getParameters().setNumWorkers(workersFor(workers, vars.length));
    // Probing in presolve added ~57k binary clauses and most of the solve time on paper-scale
    // models, while the search itself needs a handful of conflicts (PLANNER.md, "Tuning").
    solver.getParameters().setCpModelProbingLevel(0);
    if (presolvePassesFor(vars.length) > 0) solver.getParameters().setMaxPresolveIterations(presolvePassesFor(vars.length));
    // By default CP-SAT adds linear rows to its LP only once a relaxed solution violates them. On
    // this model that left the bound far below the LP optimum (80 × 17 seed 3: CP-SAT's bound
    // 67.3 s for 10 s, while the full LP gives 79.02 s against an optimum of 79.05 s), so the
    // proof never closed. All rows are in the LP from the start (PLANNER.md, "CP-SAT parameters").
    solver.getParameters().setAddLpConstraintsLazily(false);
    if (!Double.isInfinite(request.stopAtObjective())) {
      // Wanted: a good plan soon, not a proof. Branching on the LP's solution found the 7B
      // example's way around a slowed link in ~1 s of CPU; the default search, with one worker,
      // kept the hint for the whole 10 s (PLANNER.md, "Replans").
      solver.getParameters().setSearchBranching(SatParameters.SearchBranching.LP_SEARCH);
    }
    double roundingBound = 0.5 * resolution * lm.maxActiveObjectiveTerms();
    CpSolverStatus status =
        Double.isInfinite(request.stopAtObjective())
            ? solver.solve(model)
            : solver.solve(model, new StopWhenGoodEnough(request.stopAtObjective(), resolution, roundingBound));
    SolverStatus statusName = SolverStatus.of(status);
    if (status != CpSolverStatus.OPTIMAL && status != CpSolverStatus.FEASIBLE) {
      if (status == CpSolverStatus.MODEL_INVALID) {
        throw new IllegalStateException("CP-SAT rejected the model: " + model.validate());
      }
      return new SolveResult(
          name(), statusName, null, Double.NaN, Double.NaN, solver.wallTime(), roundingBound);
    }
    double[] values = new double[vars.length];
    for (int j = 0; j < vars.length; j++) values[j] = solver.value(vars[j]);
    return new SolveResult(
        name(),
        statusName,
        values,
        solver.objectiveValue() * resolution,
        solver.bestObjectiveBound() * resolution,
        solver.wallTime(),
        roundingBound);
  }

  /**
   * Stops the search at the first solution whose true objective is at or below the target even if
   * every rounded coefficient went the wrong way, so the plan the evaluator prices clears it too.
   */
  private static final class StopWhenGoodEnough extends CpSolverSolutionCallback {
    private final double target;
    private final double resolution;
    private final double roundingBound;

    StopWhenGoodEnough(double target, double resolution, double roundingBound) {
      this.target = target;
      this.resolution = resolution;
      this.roundingBound = roundingBound;
    }

    @Override
    public void onSolutionCallback() {
      if (objectiveValue() * resolution + roundingBound <= target) stopSearch();
    }
  }

  /** Seconds per objective unit: a power of ten, so it reads well in reports. */
  static double objectiveResolution(LinearModel lm) {
    double max = 0;
    for (int j = 0; j < lm.variableCount(); j++) max = Math.max(max, Math.abs(lm.objective(j)));
    if (max == 0) return 1;
    return Math.pow(10, Math.ceil(Math.log10(max / OBJECTIVE_UNITS)));
  }

  private static void addRow(CpModel model, IntVar[] vars, LinearModel.Row row) {
    boolean integral =
        row.terms().stream().allMatch(t -> t.coefficient() == Math.rint(t.coefficient()));
    LinearExprBuilder expr = LinearExpr.newBuilder();
    if (integral) {
      for (LinearModel.Term t : row.terms()) expr.addTerm(vars[t.variable()], (long) t.coefficient());
      model.addLinearConstraint(expr, bound(row.lower(), true), bound(row.upper(), false));
      return;
    }
    if (row.lower() != Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException(
          "row " + row.name() + ": fractional coefficients are only supported in ≤ rows");
    }
    double max = row.terms().stream().mapToDouble(t -> Math.abs(t.coefficient())).max().orElse(1);
    double scale = Math.pow(10, Math.floor(Math.log10(ROW_UNITS / Math.max(max, Math.abs(row.upper())))));
    for (LinearModel.Term t : row.terms()) {
      expr.addTerm(vars[t.variable()], (long) Math.ceil(t.coefficient() * scale));
    }
    double slack = 1e-9 * Math.max(1.0, Math.abs(row.upper()));
    model.addLessOrEqual(expr, (long) Math.floor((row.upper() + slack) * scale));
  }

  private static long bound(double value, boolean lower) {
    if (Double.isInfinite(value)) return lower ? Long.MIN_VALUE / 4 : Long.MAX_VALUE / 4;
    return Math.round(value);
  }
}
