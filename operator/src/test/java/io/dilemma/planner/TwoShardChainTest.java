package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TwoShardChainTest {
  /** Its plans fit and never beat the exhaustive optimum; it finds one on most instances. */
  @Test
  void plansAreFeasibleAndNeverBeatTheOptimum() {
    Random random = new Random(11);
    int found = 0;
    int feasible = 0;
    for (int t = 0; t < 120; t++) {
      CostModel costs = new CostModel(RandomInstances.draw(random, "two-" + t));
      Assignment optimum = BruteForcePlanner.solve(costs);
      Assignment plan = TwoShardChain.find(costs);
      if (optimum == null) {
        assertThat(plan).isNull();
        continue;
      }
      feasible++;
      if (plan == null) continue;
      found++;
      Evaluation e = PlanEvaluator.evaluate(costs, plan);
      assertThat(e.feasible()).isTrue();
      assertThat(e.time().totalSeconds()).isGreaterThanOrEqualTo(seconds(costs, optimum) * (1 - 1e-12));
    }
    assertThat(found).as("instances with a plan").isGreaterThan(feasible / 2);
  }

  /**
   * Where the exhaustive optimum is itself of its shape (the origin's first layer at most, then at
   * most two shards, one width, one ρ), it finds a plan as fast.
   */
  @Test
  void findsTheOptimumWhenTheOptimumHasItsShape() {
    Random random = new Random(12);
    int ofItsShape = 0;
    for (int t = 0; t < 200; t++) {
      CostModel costs = new CostModel(RandomInstances.draw(random, "shape-" + t));
      Assignment optimum = BruteForcePlanner.solve(costs);
      if (optimum == null || !hasTheShape(costs, optimum)) continue;
      ofItsShape++;
      Assignment plan = TwoShardChain.find(costs);
      assertThat(plan).as("instance %d", t).isNotNull();
      assertThat(seconds(costs, plan)).as("instance %d", t).isLessThanOrEqualTo(seconds(costs, optimum) * (1 + 1e-9));
    }
    assertThat(ofItsShape).as("instances whose optimum has the shape").isGreaterThan(10);
  }

  private static boolean hasTheShape(CostModel costs, Assignment a) {
    int n = a.layerCount();
    if (Arrays.stream(a.bits()).distinct().count() > 1) return false;
    if (Arrays.stream(a.cutRho()).filter(r -> r >= 0).distinct().count() > 1) return false;
    int shards = 0;
    int begin = a.nodes()[0] == costs.origin() && n > 1 && a.nodes()[1] != costs.origin() ? 1 : 0;
    for (int i = begin; i < n; i++) if (i == begin || a.nodes()[i] != a.nodes()[i - 1]) shards++;
    return shards <= 2;
  }

  private static double seconds(CostModel costs, Assignment a) {
    return PlanEvaluator.evaluate(costs, a).time().totalSeconds();
  }
}
