package io.dilemma.planner.ilp;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One solve of a {@link LinearModel}.
 *
 * @param model the model
 * @param dropped families whose rows are left out (relaxations for diagnosis)
 * @param timeLimit wall-clock limit
 * @param hint variable → value suggestions for a warm start; may be empty
 * @param stopAtObjective stop at the first solution whose objective is surely at or below this
 *     (model units, rounding included); +∞ to search to the limit. Backends that cannot stop on a
 *     solution ignore it.
 */
public record SolveRequest(
    LinearModel model,
    Set<LinearModel.Family> dropped,
    Duration timeLimit,
    Map<Integer, Integer> hint,
    double stopAtObjective) {
  public SolveRequest {
    dropped = Set.copyOf(dropped);
    hint = Map.copyOf(hint);
  }

  public SolveRequest(
      LinearModel model, Set<LinearModel.Family> dropped, Duration timeLimit, Map<Integer, Integer> hint) {
    this(model, dropped, timeLimit, hint, Double.POSITIVE_INFINITY);
  }

  public static SolveRequest of(LinearModel model, Duration timeLimit) {
    return new SolveRequest(model, Set.of(), timeLimit, Map.of());
  }
}
