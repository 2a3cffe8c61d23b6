package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChainDpHeuristicTest {
  @Test
  void startingPlansAreFeasibleAndNeverBeatTheOptimum() {
    Random random = new Random(5);
    int found = 0;
    int feasibleInstances = 0;
    for (int t = 0; t < 120; t++) {
      CostModel costs = new CostModel(RandomInstances.draw(random, "dp-" + t));
      Assignment optimum = BruteForcePlanner.solve(costs);
      Assignment start = ChainDpHeuristic.find(costs);
      if (optimum == null) {
        assertThat(start).isNull();
        continue;
      }
      feasibleInstances++;
      if (start == null) continue;
      found++;
      Evaluation e = PlanEvaluator.evaluate(costs, start);
      assertThat(e.feasible()).isTrue();
      assertThat(e.time().totalSeconds())
          .isGreaterThanOrEqualTo(PlanEvaluator.evaluate(costs, optimum).time().totalSeconds() - 1e-12);
    }
    assertThat(found).as("instances with a starting plan").isGreaterThan(feasibleInstances / 2);
  }
}
