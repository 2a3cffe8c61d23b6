package io.dilemma.operator.plan;

import io.dilemma.api.PlanStatus;
import io.dilemma.planner.Assignment;
import io.dilemma.planner.CostModel;
import io.dilemma.planner.Evaluation;
import io.dilemma.planner.PlanEvaluator;
import io.dilemma.planner.PlanningProblem;
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
    int n = costs.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] cutRho = new int[n];
    java.util.Arrays.fill(cutRho, -1);
    List<String> violations = new ArrayList<>();
    int covered = 0;
    for (PlanStatus.ShardStatus s : running.shards()) {
      int k = now.cluster().indexOf(s.node());
      for (int layer = s.firstLayer(); layer <= s.lastLayer(); layer++) {
        if (layer >= n) {
          violations.add("the plan has layer " + layer + " but the model has " + n);
          return new Pricing(Double.NaN, violations, lost);
        }
        nodes[layer] = k;
        bits[layer] = bitIndex(costs, s.bits().get(layer - s.firstLayer()));
        if (bits[layer] < 0) violations.add("layer " + layer + " bits no longer allowed");
        covered++;
      }
      if (s.outgoingRho() != null && s.lastLayer() + 1 < n) {
        cutRho[s.lastLayer() + 1] = rhoIndex(costs, s.outgoingRho());
      }
    }
    if (covered != n) violations.add("the plan covers " + covered + " of " + n + " layers");
    if (!violations.isEmpty()) return new Pricing(Double.NaN, violations, lost);
    Evaluation e =
        nodes[0] != costs.origin()
            ? withEmbeddingCutRho(costs, nodes, bits, cutRho, running.qualityUsed())
            : PlanEvaluator.evaluate(costs, new Assignment(nodes, bits, cutRho));
    return new Pricing(e.feasible() ? e.time().totalSeconds() : Double.NaN, e.violations(), lost);
  }

  /**
   * A plan records no ρ for the hop from the embedding to layer 0 (only taken when layer 0 left
   * the origin). Its quality cost is the one part of the recorded quality the rest does not
   * explain, so the ρ whose evaluation matches the recorded quality is the one the plan chose.
   */
  private static Evaluation withEmbeddingCutRho(
      CostModel costs, int[] nodes, int[] bits, int[] cutRho, Double recordedQuality) {
    Evaluation best = null;
    double bestMiss = Double.POSITIVE_INFINITY;
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (!costs.rhoAvailable(-1, r)) continue;
      int[] rho = cutRho.clone();
      rho[0] = r;
      Evaluation e = PlanEvaluator.evaluate(costs, new Assignment(nodes, bits, rho));
      double miss = recordedQuality == null ? 0 : Math.abs(e.qualityUsed() - recordedQuality);
      if (best == null || miss < bestMiss) {
        best = e;
        bestMiss = miss;
      }
    }
    return best != null ? best : PlanEvaluator.evaluate(costs, new Assignment(nodes, bits, cutRho));
  }

  private static int bitIndex(CostModel costs, int bits) {
    for (int b = 0; b < costs.bitOptionCount(); b++) if (costs.bits(b) == bits) return b;
    return -1;
  }

  private static int rhoIndex(CostModel costs, double rho) {
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (Math.abs(costs.rho(r) - rho) < 1e-9) return r;
    }
    return -1;
  }
}
