package io.dilemma.planner;

import io.dilemma.planner.ilp.LinearModel;
import io.dilemma.planner.ilp.LpRelaxation;

/**
 * Prices μ_k (seconds per byte) for the memory of each node, for {@link CompletionBound}: any
 * μ ≥ 0 gives a valid bound, these aim for a tight one.
 */
final class MemoryPrices {
  private MemoryPrices() {}

  /**
   * The duals of the memory rows in the LP relaxation of {@code ilp}: what a byte more on each node
   * would save the relaxation. All 0 when GLOP does not solve it.
   */
  static double[] fromLp(CostModel costs, PlacementIlp ilp) {
    LpRelaxation.Solution lp = LpRelaxation.solve(ilp.model(), ilp.model().rowsOf(LinearModel.Family.MEMORY));
    double[] prices = new double[costs.nodeCount()];
    for (int k = 0; k < prices.length; k++) prices[k] = Math.max(0, -lp.duals()[k]);
    return prices;
  }

  /**
   * Raises the root bound by subgradient ascent on the memory prices, from {@code prices}: a node
   * the cheapest priced chain overfills gets dearer, one it leaves room on cheaper (never below 0).
   * Steps follow Polyak's rule towards {@code target} (a plan's time), halved after each round
   * that did not raise the bound. Returns the best prices seen.
   */
  static double[] ascend(CostModel costs, double[] prices, int units, double budget, int rounds, double target) {
    double[] mu = prices.clone();
    double[] bestMu = prices.clone();
    double bestBound = Double.NEGATIVE_INFINITY;
    double theta = 1.0;
    for (int round = 0; round < rounds; round++) {
      CompletionBound bound = CompletionBound.priced(costs, mu, units, budget);
      double value = bound.rootBound();
      if (value > bestBound) {
        bestBound = value;
        bestMu = mu.clone();
      } else {
        theta /= 2;
      }
      long[] used = bound.memoryOfCheapestChain();
      double[] g = new double[mu.length];
      double norm = 0;
      for (int k = 0; k < mu.length; k++) {
        long capacity = costs.memoryCapacity(k) - (k == costs.origin() ? costs.embeddingBytes() : 0);
        g[k] = used[k] - capacity;
        if (mu[k] == 0 && g[k] < 0) g[k] = 0; // a price at 0 cannot fall
        norm += g[k] * g[k];
      }
      if (norm == 0 || !(value < target)) break; // the chain fits everywhere: no price to move
      double step = theta * (target - value) / norm;
      for (int k = 0; k < mu.length; k++) mu[k] = Math.max(0, mu[k] + step * g[k]);
    }
    return bestMu;
  }
}
