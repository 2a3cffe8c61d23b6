package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryPricesTest {
  /** A fast node too small for the model and a slow origin: the fast node's memory binds. */
  private static CostModel fastNodeTooSmall() {
    long p = TinyProblems.PARAMS;
    return new CostModel(
        TinyProblems.builder()
            .layers(5)
            .budget(1.0)
            .node(new ComputeNode("o", 1e12, 1e9, 20 * p, Tier.EDGE))
            .node(new ComputeNode("fast", 1e12, 1e11, 2 * p, Tier.EDGE))
            .link("o", "fast", 1e8, 0.001)
            .build());
  }

  @Test
  void theLpPricesTheMemoryThatBindsAndNothingElse() {
    CostModel costs = fastNodeTooSmall();
    double[] prices = MemoryPrices.fromLp(costs, PlacementIlp.build(costs));

    assertThat(prices[1]).as("the fast node, whose memory binds").isPositive();
    assertThat(prices[0]).as("the origin, with room to spare").isZero();
  }

  @Test
  void ascentRaisesTheRootBoundFromUnpricedMemoryWithoutPassingTheOptimum() {
    CostModel costs = fastNodeTooSmall();
    double budget = ChainSearch.withSlack(costs.qualityBudget());
    double optimum = PlanEvaluator.evaluate(costs, BruteForcePlanner.solve(costs)).time().totalSeconds();
    double[] none = new double[costs.nodeCount()];

    double[] raised = MemoryPrices.ascend(costs, none, 256, budget, 20, optimum);
    double before = CompletionBound.priced(costs, none, 256, budget).rootBound();
    double after = CompletionBound.priced(costs, raised, 256, budget).rootBound();

    assertThat(after).isGreaterThan(before);
    assertThat(after).isLessThanOrEqualTo(optimum * (1 + 1e-9));
  }
}
