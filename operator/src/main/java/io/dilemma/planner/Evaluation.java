package io.dilemma.planner;

import java.util.List;

/**
 * What an {@link Assignment} costs under the cost model, in true (unrounded) units.
 *
 * @param time T_total and its parts
 * @param memoryByNode bytes held per node index (0 where nothing is held)
 * @param qualityUsed Σ layer quality + Σ cut quality
 * @param quantizationRatio weight bits kept ÷ 16-bit baseline
 * @param broken constraints the assignment breaks, by kind; empty when it is feasible
 */
public record Evaluation(
    Plan.TimeBreakdown time,
    long[] memoryByNode,
    double qualityUsed,
    double quantizationRatio,
    List<Violation> broken) {
  public boolean feasible() {
    return broken.isEmpty();
  }

  /** The broken constraints as sentences. */
  public List<String> violations() {
    return broken.stream().map(Violation::message).toList();
  }

  /** One broken constraint: which kind, and a sentence for a human. */
  public record Violation(Kind kind, String message) {
    public enum Kind {
      OPTION,
      CONNECTIVITY,
      MEMORY,
      QUALITY,
      PRIVACY
    }

    @Override
    public String toString() {
      return message;
    }
  }

  /** The same evaluation with one kind of violation forgiven. */
  public Evaluation ignoring(Violation.Kind kind) {
    return new Evaluation(
        time, memoryByNode, qualityUsed, quantizationRatio,
        broken.stream().filter(v -> v.kind() != kind).toList());
  }
}
