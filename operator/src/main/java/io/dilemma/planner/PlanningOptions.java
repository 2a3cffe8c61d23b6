package io.dilemma.planner;

import java.time.Duration;
import java.util.List;

/**
 * @param allowedBits weight bit widths the planner may choose
 * @param allowedRho ρ values the planner may choose at a cut
 * @param cutPrecision the two activation widths at a cut (ρ picks the share at the higher one)
 * @param keepTokensOnOrigin the embedding and at least layer 0 stay on the origin
 * @param timeLimit solver wall-clock limit
 * @param previous the plan now running: a hint, and the reference for churn
 * @param goodEnoughSeconds stop at the first plan predicted at or below this T_total, proven
 *     optimal or not (a replan that only has to clear a threshold); null to search to the limit
 */
public record PlanningOptions(
    List<Integer> allowedBits,
    List<Double> allowedRho,
    CutPrecision cutPrecision,
    boolean keepTokensOnOrigin,
    Duration timeLimit,
    Plan previous,
    Double goodEnoughSeconds) {
  /** Token-adaptive cuts. */
  public PlanningOptions(
      List<Integer> allowedBits,
      List<Double> allowedRho,
      boolean keepTokensOnOrigin,
      Duration timeLimit,
      Plan previous,
      Double goodEnoughSeconds) {
    this(allowedBits, allowedRho, CutPrecision.TOKEN_ADAPTIVE, keepTokensOnOrigin, timeLimit, previous, goodEnoughSeconds);
  }

  /** Searching to the time limit. */
  public PlanningOptions(
      List<Integer> allowedBits,
      List<Double> allowedRho,
      CutPrecision cutPrecision,
      boolean keepTokensOnOrigin,
      Duration timeLimit,
      Plan previous) {
    this(allowedBits, allowedRho, cutPrecision, keepTokensOnOrigin, timeLimit, previous, null);
  }

  public PlanningOptions {
    if (cutPrecision == null) cutPrecision = CutPrecision.TOKEN_ADAPTIVE;
    // At a lossless cut every ρ costs the same bytes and no quality: one option, not five twins.
    if (cutPrecision.lossless()) allowedRho = List.of(1.0);
    allowedBits = List.copyOf(allowedBits);
    allowedRho = List.copyOf(allowedRho);
    if (allowedBits.isEmpty()) throw new IllegalArgumentException("allowedBits is empty");
    if (allowedRho.isEmpty()) throw new IllegalArgumentException("allowedRho is empty");
  }

  /** Searching to the time limit. */
  public PlanningOptions(
      List<Integer> allowedBits,
      List<Double> allowedRho,
      boolean keepTokensOnOrigin,
      Duration timeLimit,
      Plan previous) {
    this(allowedBits, allowedRho, keepTokensOnOrigin, timeLimit, previous, null);
  }

  public static PlanningOptions defaults() {
    return new PlanningOptions(
        List.of(2, 3, 4, 8, 16), List.of(0.0, 0.1, 0.25, 0.5, 1.0), true, Duration.ofSeconds(10), null);
  }

  public PlanningOptions withPrevious(Plan plan) {
    return new PlanningOptions(allowedBits, allowedRho, cutPrecision, keepTokensOnOrigin, timeLimit, plan, goodEnoughSeconds);
  }

  public PlanningOptions withGoodEnough(Double seconds) {
    return new PlanningOptions(allowedBits, allowedRho, cutPrecision, keepTokensOnOrigin, timeLimit, previous, seconds);
  }
}
