package io.dilemma.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * Neighbours of the running plan that a link change usually calls for, each priced by the
 * evaluator: its shards moved to other nodes (layers, bits and ρ unchanged), or the shards after
 * the origin's taken in another order (each keeping its node, size and bits), so that a slowed
 * hop is no longer crossed. Shards on the origin stay. The fastest feasible neighbour is the
 * answer: cheap enough to try before any solve, and a plan the solver can start from.
 */
final class ShardRelocation {
  /** More arrangements than this are not tried (8 nodes and 4 moving shards make 1,680). */
  static final int MAX_ARRANGEMENTS = 20_000;
  /** How far a hop between two moved shards is tried away from where it was, in layers. */
  static final int MAX_SHIFT = 4;

  private ShardRelocation() {}

  /** The fastest feasible relocation of {@code running}, or null when none is feasible. */
  static Assignment fastest(CostModel costs, Assignment running) {
    List<int[]> runs = runs(running);
    List<Integer> moving = new ArrayList<>();
    for (int r = 0; r < runs.size(); r++) if (runs.get(r)[2] != costs.origin()) moving.add(r);
    List<Integer> targets = new ArrayList<>();
    for (int k = 0; k < costs.nodeCount(); k++) if (k != costs.origin()) targets.add(k);
    if (arrangements(targets.size(), moving.size()) > MAX_ARRANGEMENTS) return null;
    Search search = new Search(costs, running, runs, moving, targets);
    search.place(0, new boolean[costs.nodeCount()], running.nodes().clone());
    reorder(costs, running, runs, search);
    return search.best;
  }

  /**
   * Every order of the shards after the leading origin shards, when no origin shard comes later.
   * A moved shard keeps the ρ of the hop it sent into, else the most faithful ρ measured there.
   */
  private static void reorder(CostModel costs, Assignment running, List<int[]> runs, Search search) {
    int fixed = 0;
    while (fixed < runs.size() && runs.get(fixed)[2] == costs.origin()) fixed++;
    int free = runs.size() - fixed;
    if (free < 2 || free > 5) return;
    for (int r = fixed; r < runs.size(); r++) if (runs.get(r)[2] == costs.origin()) return;
    List<int[]> head = runs.subList(0, fixed);
    List<int[]> tail = new ArrayList<>(runs.subList(fixed, runs.size()));
    permute(tail, 0, order -> search.consider(inOrder(costs, running, head, order)));
  }

  private static void permute(List<int[]> items, int from, java.util.function.Consumer<List<int[]>> each) {
    if (from == items.size()) {
      each.accept(items);
      return;
    }
    for (int j = from; j < items.size(); j++) {
      java.util.Collections.swap(items, from, j);
      permute(items, from + 1, each);
      java.util.Collections.swap(items, from, j);
    }
  }

  private static Assignment inOrder(CostModel costs, Assignment running, List<int[]> head, List<int[]> order) {
    int n = running.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] rho = new int[n];
    java.util.Arrays.fill(rho, -1);
    int at = 0;
    List<int[]> all = new ArrayList<>(head);
    all.addAll(order);
    for (int[] run : all) {
      int first = at;
      for (int i = run[0]; i <= run[1]; i++, at++) {
        nodes[at] = run[2];
        bits[at] = running.bits()[i];
      }
      if (first > 0) rho[first] = rhoInto(costs, first - 1, running, run[0] - 1);
    }
    if (nodes[0] != costs.origin()) rho[0] = running.cutRho()[0];
    return new Assignment(nodes, bits, rho);
  }

  /** ρ at new cut {@code cut}: the one the plan used at {@code oldCut} if measured here, else the most faithful. */
  private static int rhoInto(CostModel costs, int cut, Assignment running, int oldCut) {
    int old = oldCut >= -1 ? running.cutRho()[oldCut + 1] : -1;
    if (old >= 0 && costs.rhoAvailable(cut, old)) return old;
    int best = -1;
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (costs.rhoAvailable(cut, r) && (best < 0 || costs.rho(r) > costs.rho(best))) best = r;
    }
    return best;
  }

  private static final class Search {
    final CostModel costs;
    final Assignment running;
    final List<int[]> runs;
    final List<Integer> moving;
    final List<Integer> targets;
    Assignment best;
    double bestSeconds = Double.POSITIVE_INFINITY;

    Search(CostModel costs, Assignment running, List<int[]> runs, List<Integer> moving, List<Integer> targets) {
      this.costs = costs;
      this.running = running;
      this.runs = runs;
      this.moving = moving;
      this.targets = targets;
    }

    /** The candidate, and each variant with one hop between two moved shards a few layers off. */
    void consider(Assignment candidate) {
      price(candidate);
      int[] nodes = candidate.nodes();
      for (int b = 1; b < nodes.length; b++) {
        if (nodes[b] == nodes[b - 1] || nodes[b - 1] == costs.origin()) continue;
        for (int shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
          Assignment shifted = shifted(candidate, b, shift);
          if (shifted != null) price(shifted);
        }
      }
    }

    /** The hop at layer {@code b} moved to {@code b + shift}, inside the two shards it joins. */
    private Assignment shifted(Assignment a, int b, int shift) {
      int to = b + shift;
      if (shift == 0 || to < 1 || to >= a.layerCount()) return null;
      int[] nodes = a.nodes().clone();
      int[] rho = a.cutRho().clone();
      int left = nodes[b - 1];
      int right = nodes[b];
      for (int i = Math.min(b, to); i < Math.max(b, to); i++) {
        if (nodes[i] != (shift > 0 ? right : left)) return null;
        nodes[i] = shift > 0 ? left : right;
      }
      if (!costs.rhoAvailable(to - 1, rho[b])) return null;
      rho[to] = rho[b];
      rho[b] = -1;
      return new Assignment(nodes, a.bits(), rho);
    }

    private void price(Assignment candidate) {
      Evaluation e = PlanEvaluator.evaluate(costs, candidate);
      if (e.feasible() && e.time().totalSeconds() < bestSeconds) {
        best = candidate;
        bestSeconds = e.time().totalSeconds();
      }
    }

    void place(int m, boolean[] used, int[] nodes) {
      if (m == moving.size()) {
        consider(new Assignment(nodes.clone(), running.bits(), running.cutRho()));
        return;
      }
      int[] run = runs.get(moving.get(m));
      for (int k : targets) {
        if (used[k]) continue;
        used[k] = true;
        for (int i = run[0]; i <= run[1]; i++) nodes[i] = k;
        place(m + 1, used, nodes);
        used[k] = false;
      }
    }
  }

  /** Maximal runs of consecutive layers on one node: {first, last, node}. */
  private static List<int[]> runs(Assignment a) {
    List<int[]> runs = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= a.layerCount(); i++) {
      if (i == a.layerCount() || a.nodes()[i] != a.nodes()[start]) {
        runs.add(new int[] {start, i - 1, a.nodes()[start]});
        start = i;
      }
    }
    return runs;
  }

  private static long arrangements(int targets, int moving) {
    long count = 1;
    for (int j = 0; j < moving; j++) {
      count *= Math.max(0, targets - j);
      if (count > MAX_ARRANGEMENTS) return count;
    }
    return count;
  }
}
