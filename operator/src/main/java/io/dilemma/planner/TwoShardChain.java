package io.dilemma.planner;

/**
 * A starting plan for {@link ChainSearch}: the fastest chain of at most two shards after the
 * origin's, every layer at one width and both cuts at one ρ. On the opt-6.7b example the
 * chain DP's plan (everything on the cloud, 40.4 s) left the search 80,000 labels from its first
 * good plan; this one (layer 0 on the gateway, then the RTX desktop, then the Mac mini) is within
 * 0.01 % of the optimum, and from it the proof takes 36,000 labels instead of 99,000 (PLANNER.md).
 *
 * <p>Candidates are ranked with sums of the {@link CostModel}'s terms; the one returned is judged
 * by {@link PlanEvaluator} (null when none fits), so a ranking slip could only cost speed.
 */
final class TwoShardChain {
  private TwoShardChain() {}

  /** The fastest feasible such chain, or null. */
  static Assignment find(CostModel costs) {
    int n = costs.layerCount();
    int nodes = costs.nodeCount();
    int origin = costs.origin();
    boolean privacy = costs.problem().options().keepTokensOnOrigin();
    double best = Double.POSITIVE_INFINITY;
    Assignment bestPlan = null;
    double[][] seconds = new double[nodes][n + 1]; // prefix sums of layer time per node, one width
    long[] bytes = new long[n + 1];
    double[] quality = new double[n + 1];
    for (int b = 0; b < costs.bitOptionCount(); b++) {
      if (!allLayersAllow(costs, b)) continue;
      for (int i = 0; i < n; i++) {
        bytes[i + 1] = bytes[i] + costs.layerMemoryBytes(i, b);
        quality[i + 1] = quality[i] + costs.layerQuality(i, b);
        for (int k = 0; k < nodes; k++) seconds[k][i + 1] = seconds[k][i] + costs.layerTotalSeconds(i, k, b);
      }
      // layers [0, a) on the origin, [a, split) on first, [split, n) on second
      for (int a = privacy ? 1 : 0; a <= 1; a++) {
        for (int first = 0; first < nodes; first++) {
          for (int second = 0; second < nodes; second++) {
            for (int split = a; split <= n; split++) {
              if (first == second && split > a) continue; // one shard: counted once, at split = a
              if (split == n && second > 0) continue; // second shard empty: counted once
              for (int r = 0; r < costs.rhoOptionCount(); r++) {
                Assignment plan = chain(costs, a, first, second, split, b, r);
                double t = rankedSeconds(costs, plan, seconds, bytes, quality);
                if (t < best) {
                  Evaluation e = PlanEvaluator.evaluate(costs, plan);
                  if (e.feasible()) {
                    best = t;
                    bestPlan = plan;
                  }
                }
              }
            }
          }
        }
      }
    }
    return bestPlan;
  }

  private static boolean allLayersAllow(CostModel costs, int b) {
    for (int i = 0; i < costs.layerCount(); i++) if (!costs.bitsAvailable(i, b)) return false;
    return true;
  }

  private static Assignment chain(CostModel costs, int a, int first, int second, int split, int b, int r) {
    int n = costs.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] rho = new int[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = i < a ? costs.origin() : i < split ? first : second;
      bits[i] = b;
      int sender = i == 0 ? costs.origin() : nodes[i - 1];
      rho[i] = sender == nodes[i] ? -1 : r;
    }
    return new Assignment(nodes, bits, rho);
  }

  /**
   * T_total from the prefix sums and the plan's cuts, +∞ when a link is missing, a ρ is not
   * offered, the budget or a node's memory is exceeded (the evaluator has the last word).
   */
  private static double rankedSeconds(
      CostModel costs, Assignment plan, double[][] seconds, long[] bytes, double[] quality) {
    int n = costs.layerCount();
    int origin = costs.origin();
    int[] on = plan.nodes();
    double t = 0;
    double q = quality[n];
    long[] used = new long[costs.nodeCount()];
    used[origin] += costs.embeddingBytes();
    int begin = 0; // first layer of the current shard
    for (int i = 0; i < n; i++) {
      int sender = i == 0 ? origin : on[i - 1];
      if (sender != on[i]) {
        int r = plan.cutRho()[i];
        if (!costs.linked(sender, on[i]) || !costs.rhoAvailable(i - 1, r)) return Double.POSITIVE_INFINITY;
        t += costs.cutTotalSeconds(i - 1, sender, on[i], r);
        q += costs.cutQuality(i - 1, r);
      }
      if (i == n - 1 || on[i + 1] != on[i]) { // the shard [begin, i] ends here
        t += seconds[on[i]][i + 1] - seconds[on[i]][begin];
        used[on[i]] += bytes[i + 1] - bytes[begin];
        begin = i + 1;
      }
    }
    int last = on[n - 1];
    if (!costs.linked(last, origin)) return Double.POSITIVE_INFINITY;
    t += costs.tailTotalSeconds(last);
    used[last] += costs.headBytes();
    if (q > ChainSearch.withSlack(costs.qualityBudget())) return Double.POSITIVE_INFINITY;
    for (int k = 0; k < used.length; k++) if (used[k] > costs.memoryCapacity(k)) return Double.POSITIVE_INFINITY;
    return t;
  }
}
