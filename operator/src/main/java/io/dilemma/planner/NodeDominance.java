package io.dilemma.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Nodes no optimal plan needs, left out before the ILP is built.
 *
 * <p>Node B is dominated by node A when neither is the origin, A computes and streams memory at
 * least as fast as B, A's links to and from every other node are B's, and A can hold the whole
 * model by itself. Then any plan that uses B has a
 * counterpart with B's layers on A that is no slower (every layer term is a roofline of G and W,
 * every hop and the trip back to the origin cross the same links), no worse in quality (a hop
 * between A and B disappears, the others keep their ρ) and still fits (A holds everything). So
 * the optimum is the same without B. Of equal nodes the first in cluster order is kept.
 *
 * <p>Fleets of identical machines with memory to spare, where this matters, are the common case:
 * 16 nodes of 6 kinds become the origin and one node of the fastest kind.
 */
final class NodeDominance {
  private final CostModel full;
  private final CostModel reduced;
  /** Node index in the reduced problem → its index in the full one. */
  private final int[] fullIndex;
  /** Node index in the full problem → the reduced node standing in for it. */
  private final int[] reducedIndex;

  private NodeDominance(CostModel full, CostModel reduced, int[] fullIndex, int[] reducedIndex) {
    this.full = full;
    this.reduced = reduced;
    this.fullIndex = fullIndex;
    this.reducedIndex = reducedIndex;
  }

  /** The problem without its dominated nodes (the same problem when there are none). */
  static NodeDominance of(CostModel full) {
    int k = full.nodeCount();
    Integer[] strongestFirst = new Integer[k];
    for (int j = 0; j < k; j++) strongestFirst[j] = j;
    Arrays.sort(
        strongestFirst,
        Comparator.<Integer>comparingDouble(j -> -full.node(j).flopsPerSecond())
            .thenComparingDouble(j -> -full.node(j).memoryBandwidth())
            .thenComparingInt(j -> j));
    long wholeModel = wholeModelBytes(full);
    int[] keptAs = new int[k];
    List<Integer> kept = new ArrayList<>();
    for (int b : strongestFirst) {
      keptAs[b] = b;
      for (int a : kept) {
        if (dominates(full, a, b, wholeModel)) {
          keptAs[b] = a;
          break;
        }
      }
      if (keptAs[b] == b) kept.add(b);
    }
    if (kept.size() == k) return new NodeDominance(full, full, identity(k), identity(k));
    kept.sort(Integer::compare);
    int[] fullIndex = kept.stream().mapToInt(Integer::intValue).toArray();
    int[] reducedIndex = new int[k];
    for (int j = 0; j < k; j++) reducedIndex[j] = kept.indexOf(keptAs[j]);
    PlanningProblem problem = full.problem();
    List<ComputeNode> nodes = kept.stream().map(full::node).toList();
    List<String> names = nodes.stream().map(ComputeNode::name).toList();
    List<Link> links =
        problem.cluster().links().stream()
            .filter(l -> names.contains(l.from()) && names.contains(l.to()))
            .toList();
    PlanningProblem smaller =
        new PlanningProblem(
            problem.id(),
            problem.model(),
            new Cluster(nodes, links, problem.cluster().origin()),
            problem.workload(),
            problem.qualityBudget(),
            problem.options());
    return new NodeDominance(full, new CostModel(smaller), fullIndex, reducedIndex);
  }

  CostModel reduced() {
    return reduced;
  }

  /** Names of the nodes left out. */
  List<String> dropped() {
    List<String> names = new ArrayList<>();
    for (int j = 0; j < full.nodeCount(); j++) {
      if (fullIndex[reducedIndex[j]] != j) names.add(full.node(j).name());
    }
    return names;
  }

  /** A plan of the reduced problem in the full problem's indices. */
  Assignment toFull(Assignment a) {
    int[] nodes = new int[a.layerCount()];
    for (int i = 0; i < nodes.length; i++) nodes[i] = fullIndex[a.nodes()[i]];
    return new Assignment(nodes, a.bits().clone(), a.cutRho().clone());
  }

  /**
   * A plan of the full problem moved onto the kept nodes: every left-out node's layers go to the
   * node that dominates it, and a hop that becomes a stay on one node loses its ρ.
   */
  Assignment toReduced(Assignment a) {
    int n = a.layerCount();
    int[] nodes = new int[n];
    for (int i = 0; i < n; i++) nodes[i] = reducedIndex[a.nodes()[i]];
    int[] rho = a.cutRho().clone();
    for (int c = -1; c < n - 1; c++) {
      int from = c < 0 ? reduced.origin() : nodes[c];
      if (from == nodes[c + 1]) rho[c + 1] = -1;
    }
    return new Assignment(nodes, a.bits().clone(), rho);
  }

  /** A dominates B (see the class comment); the caller puts the tie-break in the order. */
  private static boolean dominates(CostModel costs, int a, int b, long wholeModel) {
    int origin = costs.origin();
    if (a == origin || b == origin) return false;
    ComputeNode na = costs.node(a);
    ComputeNode nb = costs.node(b);
    if (na.flopsPerSecond() < nb.flopsPerSecond() || na.memoryBandwidth() < nb.memoryBandwidth()) {
      return false;
    }
    if (costs.memoryCapacity(a) < wholeModel) return false;
    for (int x = 0; x < costs.nodeCount(); x++) {
      if (x == a || x == b) continue;
      if (!sameLink(costs, a, x, b, x) || !sameLink(costs, x, a, x, b)) return false;
    }
    return true;
  }

  private static boolean sameLink(CostModel costs, int from1, int to1, int from2, int to2) {
    return costs.linked(from1, to1) == costs.linked(from2, to2)
        && costs.bandwidth(from1, to1) == costs.bandwidth(from2, to2)
        && costs.latencySeconds(from1, to1) == costs.latencySeconds(from2, to2);
  }

  /** The most one node can be asked to hold: every layer at its largest width, KV cache and head. */
  private static long wholeModelBytes(CostModel costs) {
    long total = costs.headBytes();
    for (int i = 0; i < costs.layerCount(); i++) {
      long largest = 0;
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        if (costs.bitsAvailable(i, b)) largest = Math.max(largest, costs.layerMemoryBytes(i, b));
      }
      total += largest;
    }
    return total;
  }

  private static int[] identity(int k) {
    int[] index = new int[k];
    for (int j = 0; j < k; j++) index[j] = j;
    return index;
  }
}
