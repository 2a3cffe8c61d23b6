package io.dilemma.planner;

import java.util.Arrays;

/**
 * A lower bound on what the rest of a chain costs, for {@link ChainSearch}: the cheapest way to
 * place layers i..N−1, given the node of layer i−1 and the quality budget left, with the memory
 * limits replaced by prices μ_k per byte (a Lagrangian relaxation of the memory rows only).
 *
 * <p>The quality row stays a constraint. Every quality cost is counted in whole units of δ
 * (budget ÷ {@code units}), rounded <em>down</em>, and so is the budget left: a true completion
 * within the budget is then within it in units too (Σ⌊q/δ⌋ ≤ ⌊Σq/δ⌋), so the table never
 * overestimates. Memory: a completion that fits uses at most the memory left on each node, so its
 * time is at least its priced cost minus Σ_k μ_k · (memory left on k) — any μ ≥ 0 gives a valid
 * bound, good prices (the LP's duals) a tight one.
 *
 * <p>A backward dynamic program over (layer, node, quality units), O(N · U · (K·B + K²·R)).
 */
final class CompletionBound {
  private final CostModel costs;
  private final double[] price; // μ_k, seconds per byte
  private final double unit; // δ, quality per unit
  private final int units; // U: budget in units
  private final double[][][] table; // [i][k][u]: layers i.. after layer i−1 on k, ≤ u units

  private CompletionBound(CostModel costs, double[] price, int units, double budget) {
    this.costs = costs;
    this.price = price.clone();
    this.units = units;
    this.unit = budget / units;
    this.table = new double[costs.layerCount() + 1][costs.nodeCount()][units + 1];
    fill();
  }

  /**
   * @param price μ_k per node, ≥ 0
   * @param units U, the number of steps the budget is counted in
   * @param budget the quality budget, with the evaluator's slack
   */
  static CompletionBound priced(CostModel costs, double[] price, int units, double budget) {
    return new CompletionBound(costs, price, units, budget);
  }

  /** Quality in whole units, rounded down (the bound's side). */
  int unitsOf(double quality) {
    return (int) Math.min(units + 1L, (long) Math.floor(quality / unit));
  }

  /** Units of budget left after using {@code used}, rounded down; −1 when over the budget. */
  int unitsLeft(double used) {
    double left = units * unit - used;
    if (left < 0) return -1;
    return (int) Math.min(units, (long) Math.floor(left / unit));
  }

  double price(int k) {
    return price[k];
  }

  /**
   * The least time layers i..N−1 can take after layer i−1 on node {@code previous}, within
   * {@code unitsLeft} units, in priced seconds (subtract Σ μ_k · memory left to get a bound).
   */
  double priced(int i, int previous, int unitsLeft) {
    return table[i][previous][unitsLeft];
  }

  /**
   * Memory per node of a cheapest priced chain from the start (layer 0 after the origin's
   * embedding, the whole budget): where the relaxation puts its bytes, to adjust the prices by.
   */
  long[] memoryOfCheapestChain() {
    int n = costs.layerCount();
    int nodes = costs.nodeCount();
    long[] used = new long[nodes];
    int previous = costs.origin();
    int left = units;
    for (int i = 0; i < n; i++) {
      double target = table[i][previous][left];
      if (target == Double.POSITIVE_INFINITY) return used;
      int cut = i - 1;
      boolean found = false;
      for (int k = 0; k < nodes && !found; k++) {
        if (k != previous && !costs.linked(previous, k)) continue;
        if (i == 0 && costs.problem().options().keepTokensOnOrigin() && k != costs.origin()) continue;
        int rhoOptions = k == previous ? 1 : costs.rhoOptionCount();
        for (int r = 0; r < rhoOptions && !found; r++) {
          if (k != previous && !costs.rhoAvailable(cut, r)) continue;
          double hop = k == previous ? 0 : costs.cutTotalSeconds(cut, previous, k, r);
          int afterHop = left - (k == previous ? 0 : unitsOf(costs.cutQuality(cut, r)));
          for (int b = 0; b < costs.bitOptionCount() && afterHop >= 0; b++) {
            if (!costs.bitsAvailable(i, b)) continue;
            long extra = i == n - 1 ? costs.headBytes() : 0;
            if (costs.layerMemoryBytes(i, b) + extra > costs.memoryCapacity(k)) continue;
            int afterLayer = afterHop - unitsOf(costs.layerQuality(i, b));
            if (afterLayer < 0) continue;
            double value =
                hop + costs.layerTotalSeconds(i, k, b) + price[k] * costs.layerMemoryBytes(i, b)
                    + table[i + 1][k][afterLayer];
            if (value <= target + 1e-12 * Math.abs(target)) {
              used[k] += costs.layerMemoryBytes(i, b) + extra;
              previous = k;
              left = afterLayer;
              found = true;
              break;
            }
          }
        }
      }
      if (!found) return used;
    }
    return used;
  }

  /** The root bound in seconds: the priced cheapest chain minus the prices of all memory. */
  double rootBound() {
    double value = table[0][costs.origin()][units];
    for (int k = 0; k < costs.nodeCount(); k++) {
      long capacity = costs.memoryCapacity(k) - (k == costs.origin() ? costs.embeddingBytes() : 0);
      value -= price[k] * capacity;
    }
    return value;
  }

  private void fill() {
    int n = costs.layerCount();
    int nodes = costs.nodeCount();
    int origin = costs.origin();
    for (int k = 0; k < nodes; k++) {
      double tail =
          costs.linked(k, origin) ? costs.tailTotalSeconds(k) + price[k] * costs.headBytes() : Double.POSITIVE_INFINITY;
      Arrays.fill(table[n][k], tail);
    }
    double[][] here = new double[nodes][units + 1];
    for (int i = n - 1; i >= 0; i--) {
      // here[k][u]: layer i on k (best bits), then the rest
      for (int k = 0; k < nodes; k++) {
        Arrays.fill(here[k], Double.POSITIVE_INFINITY);
        if (i == 0 && costs.problem().options().keepTokensOnOrigin() && k != origin) continue;
        long extra = i == n - 1 ? costs.headBytes() : 0;
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          if (!costs.bitsAvailable(i, b)) continue;
          long bytes = costs.layerMemoryBytes(i, b) + extra;
          if (bytes > costs.memoryCapacity(k)) continue; // cannot fit even alone
          int q = unitsOf(costs.layerQuality(i, b));
          double cost = costs.layerTotalSeconds(i, k, b) + price[k] * costs.layerMemoryBytes(i, b);
          double[] next = table[i + 1][k];
          for (int u = q; u <= units; u++) here[k][u] = Math.min(here[k][u], cost + next[u - q]);
        }
      }
      int cut = i - 1;
      for (int k = 0; k < nodes; k++) {
        double[] row = table[i][k];
        System.arraycopy(here[k], 0, row, 0, units + 1);
        for (int k2 = 0; k2 < nodes; k2++) {
          if (k2 == k || !costs.linked(k, k2)) continue;
          for (int r = 0; r < costs.rhoOptionCount(); r++) {
            if (!costs.rhoAvailable(cut, r)) continue;
            int q = unitsOf(costs.cutQuality(cut, r));
            double hop = costs.cutTotalSeconds(cut, k, k2, r);
            double[] after = here[k2];
            for (int u = q; u <= units; u++) row[u] = Math.min(row[u], hop + after[u - q]);
          }
        }
      }
    }
  }
}
