package io.dilemma.worker.bench.quality;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.Cluster;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.Plan;
import io.dilemma.planner.Planner;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.Tier;
import io.dilemma.planner.Workload;
import java.time.Duration;
import java.util.List;

/**
 * DILEMMA's per-layer bit choice under a weight-bit budget, asked of the operator's planner: one
 * node whose memory holds the embedding, the head, the KV cache and {@code ratio} × the layers'
 * 16-bit weights. The smallest quality budget the planner can meet there (it reports it when the
 * budget 0 is infeasible) gives the plan with the least summed quality cost that fits.
 */
final class MixedBitsPlanner {
  static final List<Integer> BITS = List.of(2, 3, 4, 8, 16);
  private static final Workload WORKLOAD = new Workload(1, 1);

  private final Planner planner;

  MixedBitsPlanner(Planner planner) {
    this.planner = planner;
  }

  /** The chosen width per layer, or null when not even 2 bits everywhere fits. */
  int[] choose(ModelProfile profile, QualityMetric metric, double ratio) {
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(profile, metric, BITS, List.of(1.0));
    long layerBytes16 = 0;
    long kv = 0;
    for (ModelCosts.LayerCost layer : costs.layers()) {
      layerBytes16 += layer.bits().stream().filter(b -> b.bits() == 16).findFirst().orElseThrow().weightBytes();
      kv += layer.kvBytesPerToken() * (WORKLOAD.promptTokens() + WORKLOAD.outputTokens());
    }
    long memory = costs.embeddingBytes() + costs.headBytes() + kv + (long) Math.floor(ratio * layerBytes16);
    Cluster cluster = new Cluster(List.of(new ComputeNode("edge", 1e11, 1e10, memory, Tier.EDGE)), List.of(), "edge");
    PlanningOptions options = new PlanningOptions(BITS, List.of(1.0), true, Duration.ofSeconds(20), null);
    Plan plan = planner.plan(new PlanningProblem(profile.model(), costs, cluster, WORKLOAD, 0, options));
    if (!plan.feasible()) {
      Double minimal = plan.infeasibility().minimalFeasibleBudget();
      if (minimal == null) {
        return null;
      }
      // The budget row is ≤; a relative hair above the minimum absorbs the solver's rounding.
      double budget = minimal * (1 + 1e-7) + 1e-12;
      plan = planner.plan(new PlanningProblem(profile.model(), costs, cluster, WORKLOAD, budget, options));
      if (!plan.feasible()) {
        throw new IllegalStateException("planner reported " + minimal + " as the smallest budget but rejects " + budget + ": " + plan.infeasibility().explanation());
      }
    }
    return plan.layers().stream().mapToInt(Plan.LayerAssignment::bits).toArray();
  }
}
