package io.dilemma.planner;

import java.util.Arrays;

/**
 * A fast feasible starting plan for the solver: dynamic programming over the layer chain with the
 * quality budget and the memory limits moved into the objective as prices (a Lagrangian
 * relaxation), adjusted until the cheapest chain respects them.
 *
 * <p>For fixed prices λ (seconds per unit of quality) and μ_k (seconds per byte on node k), the
 * best chain is a shortest path: state = node of layer i; a layer costs its time + λ·quality +
 * μ_k·bytes at its best bit width; a hop between nodes costs its time + λ·quality at its best ρ.
 * Prices rise on whatever the path overuses and decay elsewhere; the fastest feasible chain seen
 * is returned. O(N·K²·(B + R)) per round, a few dozen rounds.
 */
final class ChainDpHeuristic {
  private static final int ROUNDS = 60;

  private final CostModel costs;
  private final int n;
  private final int nodes;

  private ChainDpHeuristic(CostModel costs) {
    this.costs = costs;
    this.n = costs.layerCount();
    this.nodes = costs.nodeCount();
  }

  /** The fastest feasible assignment found, or null. */
  static Assignment find(CostModel costs) {
    return new ChainDpHeuristic(costs).search();
  }

  private Assignment search() {
    Assignment first = chain(0, new double[nodes]);
    if (first == null) return null;
    double referenceSeconds = PlanEvaluator.evaluate(costs, first).time().totalSeconds();
    double lambdaStep = referenceSeconds / Math.max(costs.qualityBudget(), 1e-9) * 0.05;
    double totalBytes = 0;
    for (int k = 0; k < nodes; k++) totalBytes += costs.memoryCapacity(k);
    double muStep = referenceSeconds / Math.max(totalBytes, 1) * 0.05;

    double lambda = 0;
    double[] mu = new double[nodes];
    Assignment best = null;
    double bestSeconds = Double.POSITIVE_INFINITY;
    Assignment a = first;
    for (int round = 0; round < ROUNDS && a != null; round++) {
      Evaluation e = PlanEvaluator.evaluate(costs, a);
      if (e.feasible() && e.time().totalSeconds() < bestSeconds) {
        best = a;
        bestSeconds = e.time().totalSeconds();
      }
      lambda = e.qualityUsed() > costs.qualityBudget() ? Math.max(lambda * 1.6, lambdaStep) : lambda * 0.85;
      for (int k = 0; k < nodes; k++) {
        mu[k] = e.memoryByNode()[k] > costs.memoryCapacity(k) ? Math.max(mu[k] * 1.6, muStep) : mu[k] * 0.85;
      }
      a = chain(lambda, mu);
    }
    return best;
  }

  /** The cheapest chain at prices λ and μ, or null when no chain connects. */
  private Assignment chain(double lambda, double[] mu) {
    int origin = costs.origin();
    double[][] cost = new double[n][nodes];
    int[][] from = new int[n][nodes];
    int[][] bits = new int[n][nodes];
    for (double[] row : cost) Arrays.fill(row, Double.POSITIVE_INFINITY);
    for (int k = 0; k < nodes; k++) {
      if (costs.problem().options().keepTokensOnOrigin() && k != origin) continue;
      double hop = k == origin ? 0 : bestHop(-1, origin, k, lambda);
      cost[0][k] = hop + layer(0, k, lambda, mu, bits);
    }
    for (int i = 1; i < n; i++) {
      for (int k2 = 0; k2 < nodes; k2++) {
        double here = layer(i, k2, lambda, mu, bits);
        if (here == Double.POSITIVE_INFINITY) continue;
        for (int k = 0; k < nodes; k++) {
          if (cost[i - 1][k] == Double.POSITIVE_INFINITY) continue;
          double hop = k == k2 ? 0 : bestHop(i - 1, k, k2, lambda);
          if (cost[i - 1][k] + hop + here < cost[i][k2]) {
            cost[i][k2] = cost[i - 1][k] + hop + here;
            from[i][k2] = k;
          }
        }
      }
    }
    int last = -1;
    double best = Double.POSITIVE_INFINITY;
    for (int k = 0; k < nodes; k++) {
      if (!costs.linked(k, origin)) continue;
      double total = cost[n - 1][k] + costs.tailTotalSeconds(k) + mu[k] * costs.headBytes();
      if (total < best) {
        best = total;
        last = k;
      }
    }
    if (last < 0) return null;
    int[] nodeOf = new int[n];
    int[] bitsOf = new int[n];
    nodeOf[n - 1] = last;
    for (int i = n - 1; i > 0; i--) nodeOf[i - 1] = from[i][nodeOf[i]];
    for (int i = 0; i < n; i++) bitsOf[i] = bestBits(i, nodeOf[i], lambda, mu);
    int[] rho = new int[n];
    for (int c = -1; c < n - 1; c++) {
      int sender = c < 0 ? origin : nodeOf[c];
      rho[c + 1] = sender == nodeOf[c + 1] ? -1 : bestRho(c, sender, nodeOf[c + 1], lambda);
    }
    return new Assignment(nodeOf, bitsOf, rho);
  }

  private double layer(int i, int k, double lambda, double[] mu, int[][] bits) {
    int b = bestBits(i, k, lambda, mu);
    bits[i][k] = b;
    return b < 0 ? Double.POSITIVE_INFINITY : layerPrice(i, k, b, lambda, mu);
  }

  private double layerPrice(int i, int k, int b, double lambda, double[] mu) {
    return costs.layerTotalSeconds(i, k, b) + lambda * costs.layerQuality(i, b) + mu[k] * costs.layerMemoryBytes(i, b);
  }

  private int bestBits(int i, int k, double lambda, double[] mu) {
    int best = -1;
    for (int b = 0; b < costs.bitOptionCount(); b++) {
      if (!costs.bitsAvailable(i, b)) continue;
      if (best < 0 || layerPrice(i, k, b, lambda, mu) < layerPrice(i, k, best, lambda, mu)) best = b;
    }
    return best;
  }

  private double bestHop(int cut, int from, int to, double lambda) {
    int r = bestRho(cut, from, to, lambda);
    return r < 0 ? Double.POSITIVE_INFINITY : hopPrice(cut, from, to, r, lambda);
  }

  private double hopPrice(int cut, int from, int to, int r, double lambda) {
    return costs.cutTotalSeconds(cut, from, to, r) + lambda * costs.cutQuality(cut, r);
  }

  private int bestRho(int cut, int from, int to, double lambda) {
    if (!costs.linked(from, to)) return -1;
    int best = -1;
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (!costs.rhoAvailable(cut, r)) continue;
      if (best < 0 || hopPrice(cut, from, to, r, lambda) < hopPrice(cut, from, to, best, lambda)) best = r;
    }
    return best;
  }
}
