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
 */
public record SolveRequest(
    LinearModel model, Set<LinearModel.Family> dropped, Duration timeLimit, Map<Integer, Integer> hint) {
  public SolveRequest {
    dropped = Set.copyOf(dropped);
    hint = Map.copyOf(hint);
  }

  public static SolveRequest of(LinearModel model, Duration timeLimit) {
    return new SolveRequest(model, Set.of(), timeLimit, Map.of());
  }
}
