package io.dilemma.planner;

import java.util.List;

/**
 * What an {@link Assignment} costs under the cost model, in true (unrounded) units.
 *
 * @param time T_total and its parts
 * @param memoryByNode bytes held per node index (0 where nothing is held)
 * @param qualityUsed Σ layer quality + Σ cut quality
 * @param quantizationRatio weight bits kept ÷ 16-bit baseline
 * @param violations human-readable broken constraints; empty when the assignment is feasible
 */
public record Evaluation(
    Plan.TimeBreakdown time,
    long[] memoryByNode,
    double qualityUsed,
    double quantizationRatio,
    List<String> violations) {
  public boolean feasible() {
    return violations.isEmpty();
  }
}
