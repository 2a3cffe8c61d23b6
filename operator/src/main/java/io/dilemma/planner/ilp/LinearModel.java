package io.dilemma.planner.ilp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A solver-neutral 0-1 linear program: binary variables, linear rows tagged with the constraint
 * family that added them, and a linear objective to minimise. Built once, then handed unchanged to
 * CP-SAT or to MPSolver (CBC, SCIP, HiGHS), so every backend solves the same model.
 */
public final class LinearModel {
  /** Groups rows so a family can be dropped to find what makes a problem infeasible. */
  public enum Family {
    ASSIGNMENT,
    MEMORY,
    QUALITY,
    PRIVACY,
    CUTS,
    SYMMETRY
  }

  public record Term(int variable, double coefficient) {}

  /** lower ≤ Σ terms ≤ upper; ±infinity for a one-sided row. */
  public record Row(Family family, String name, List<Term> terms, double lower, double upper) {}

  private final List<String> names = new ArrayList<>();
  private final List<Double> upperBounds = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<Double> objective = new ArrayList<>();
  private int maxActiveObjectiveTerms;

  public int addBinary(String name) {
    names.add(name);
    upperBounds.add(1.0);
    objective.add(0.0);
    return names.size() - 1;
  }

  /** Pins a variable to 0, e.g. to forbid an option in a restricted (baseline) model. */
  public void forbid(int variable) {
    upperBounds.set(variable, 0.0);
  }

  public void addRow(Family family, String name, List<Term> terms, double lower, double upper) {
    rows.add(new Row(family, name, List.copyOf(terms), lower, upper));
  }

  public void addObjective(int variable, double coefficient) {
    objective.set(variable, objective.get(variable) + coefficient);
  }

  public void clearObjective() {
    for (int j = 0; j < objective.size(); j++) objective.set(j, 0.0);
  }

  /**
   * How many objective variables can be 1 at once in any solution; times the rounding of one
   * coefficient, this bounds the rounding error of the whole objective.
   */
  public void setMaxActiveObjectiveTerms(int terms) {
    maxActiveObjectiveTerms = terms;
  }

  public int maxActiveObjectiveTerms() {
    return maxActiveObjectiveTerms;
  }

  public int variableCount() {
    return names.size();
  }

  public String name(int variable) {
    return names.get(variable);
  }

  public double upperBound(int variable) {
    return upperBounds.get(variable);
  }

  public double objective(int variable) {
    return objective.get(variable);
  }

  public List<Row> rows() {
    return rows;
  }

  /** The rows of all families except the dropped ones. */
  public List<Row> rowsWithout(Set<Family> dropped) {
    if (dropped.isEmpty()) return rows;
    return rows.stream().filter(r -> !dropped.contains(r.family())).toList();
  }

  public List<Row> rowsOf(Family family) {
    return rowsWithout(EnumSet.complementOf(EnumSet.of(family)));
  }

  /** Σ objective·values, in the model's own (real) units. */
  public double objectiveValue(double[] values) {
    double sum = 0;
    for (int j = 0; j < values.length; j++) sum += objective.get(j) * values[j];
    return sum;
  }
}
