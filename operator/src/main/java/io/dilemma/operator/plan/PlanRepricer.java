package io.dilemma.operator.plan;

import io.dilemma.api.PlanStatus;
import io.dilemma.planner.CostModel;
import io.dilemma.planner.Evaluation;
import io.dilemma.planner.PlanEvaluator;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.RecordedPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Prices the running plan under what is observed now, through the planner's own evaluator, so the
 * running plan and a candidate are compared by the same cost model.
 */
public final class PlanRepricer {
  private PlanRepricer() {}

  /**
   * @param seconds predicted T_total of the running plan now (NaN when it no longer fits)
   * @param violations why it no longer fits; empty when it fits
   * @param lostNodes nodes the plan uses that are gone or not Ready
   */
  public record Pricing(double seconds, List<String> violations, List<String> lostNodes) {}

  public static Pricing price(PlanStatus running, PlanningProblem now) {
    CostModel costs = new CostModel(now);
    List<String> lost = new ArrayList<>();
    for (PlanStatus.ShardStatus s : running.shards()) {
      if (now.cluster().indexOf(s.node()) < 0 && !lost.contains(s.node())) lost.add(s.node());
    }
    if (!lost.isEmpty()) {
      return new Pricing(
          Double.NaN,
          lost.stream().map(n -> "node " + n + " is gone or not Ready").toList(),
          lost);
    }
    RecordedPlan recorded = RecordedPlan.read(costs, PlanStatusMapping.toPlan(now.id(), running));
    if (recorded.assignment() == null) return new Pricing(Double.NaN, recorded.mismatches(), lost);
    Evaluation e = PlanEvaluator.evaluate(costs, recorded.assignment());
    return new Pricing(e.feasible() ? e.time().totalSeconds() : Double.NaN, e.violations(), lost);
  }
}
