package io.dilemma.planner;

/**
 * Tries every placement, bit width and ρ and keeps the fastest feasible assignment, judged only by
 * {@link PlanEvaluator}. Independent of the ILP, so it can catch a wrong formulation.
 */
final class BruteForcePlanner {
  private final CostModel costs;
  private final int n;
  private Assignment best;
  private double bestSeconds = Double.POSITIVE_INFINITY;

  private BruteForcePlanner(CostModel costs) {
    this.costs = costs;
    this.n = costs.layerCount();
  }

  /** The optimal assignment, or null when none is feasible. */
  static Assignment solve(CostModel costs) {
    BruteForcePlanner search = new BruteForcePlanner(costs);
    search.placeLayer(0, new int[search.n], new int[search.n]);
    return search.best;
  }

  private void placeLayer(int i, int[] nodes, int[] bits) {
    if (i == n) {
      chooseRho(-1, nodes, bits, new int[n]);
      return;
    }
    for (int k = 0; k < costs.nodeCount(); k++) {
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        nodes[i] = k;
        bits[i] = b;
        placeLayer(i + 1, nodes, bits);
      }
    }
  }

  private void chooseRho(int cut, int[] nodes, int[] bits, int[] rho) {
    if (cut == n - 1) {
      Assignment a = new Assignment(nodes.clone(), bits.clone(), rho.clone());
      Evaluation e = PlanEvaluator.evaluate(costs, a);
      if (e.feasible() && e.time().totalSeconds() < bestSeconds) {
        bestSeconds = e.time().totalSeconds();
        best = a;
      }
      return;
    }
    int from = cut < 0 ? costs.origin() : nodes[cut];
    if (from == nodes[cut + 1]) {
      rho[cut + 1] = -1;
      chooseRho(cut + 1, nodes, bits, rho);
      return;
    }
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      rho[cut + 1] = r;
      chooseRho(cut + 1, nodes, bits, rho);
    }
  }
}
