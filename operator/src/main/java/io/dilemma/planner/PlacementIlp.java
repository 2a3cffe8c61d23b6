package io.dilemma.planner;

import io.dilemma.planner.ilp.LinearModel;
import io.dilemma.planner.ilp.LinearModel.Family;
import io.dilemma.planner.ilp.LinearModel.Term;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The joint placement + bit-width ILP of one model, as a layered graph.
 *
 * <p>Variables (all 0/1):
 *
 * <ul>
 *   <li>{@code w[i,k,b]}: layer i runs on node k with weights at bit option b;
 *   <li>{@code s[c,k]}: layers c and c+1 both run on node k (no cut there);
 *   <li>{@code y[c,g,g']}: the hop after layer c leaves a node of link group g for a different
 *       node of link group g'. A link group is a set of nodes whose links to every other node, and
 *       among themselves, are identical (e.g. all machines on one LAN switch), so which member
 *       sends or receives does not change the hop's cost. With one group per node this is the
 *       plain layered graph (one arc per link); on a LAN of 31 machines plus a cloud it needs 4
 *       arcs per cut instead of 1024;
 *   <li>{@code v[c,g,r]}: cut c crosses a link of bandwidth class g (all links with the same
 *       bandwidth) at activation ratio ρ_r. Transfer time depends only on (d, bandwidth, ρ), so
 *       grouping links by bandwidth keeps the model exact while avoiding one variable per
 *       (link, ρ).
 * </ul>
 *
 * <p>The hop from the embedding into layer 0 (cut c = -1) needs no y: its sender is always the
 * origin, so x[0,k] = Σ_b w[0,k,b] already says which link it uses.
 */
public final class PlacementIlp {
  private final LinearModel model;
  private final CostModel costs;
  private final String prefix;
  private final int n;
  private final int nodes;
  private final int[][][] w; // [i][k][b] → variable, -1 if absent
  private final int[][] s; // [c][k] for c = 0..N-2
  private final int[][][] y; // [c][g][g'] for c = 0..N-2, -1 if no link between the groups
  private final List<int[]> groups;
  private final int[] groupOf;
  private final int[][][] v; // [c+1][g][r], -1 if absent
  private final double[] classBandwidth;
  private final int[][] classOf; // [k][k'] → bandwidth class, -1 without link

  private PlacementIlp(LinearModel model, CostModel costs, String prefix) {
    this.model = model;
    this.costs = costs;
    this.prefix = prefix;
    this.n = costs.layerCount();
    this.nodes = costs.nodeCount();
    List<Double> bandwidths = new ArrayList<>();
    classOf = new int[nodes][nodes];
    for (int k = 0; k < nodes; k++) {
      for (int k2 = 0; k2 < nodes; k2++) {
        classOf[k][k2] = -1;
        if (k == k2 || !costs.linked(k, k2)) continue;
        double bw = costs.bandwidth(k, k2);
        int g = bandwidths.indexOf(bw);
        if (g < 0) {
          bandwidths.add(bw);
          g = bandwidths.size() - 1;
        }
        classOf[k][k2] = g;
      }
    }
    classBandwidth = bandwidths.stream().mapToDouble(Double::doubleValue).toArray();
    groups = linkGroups();
    groupOf = new int[nodes];
    for (int g = 0; g < groups.size(); g++) for (int k : groups.get(g)) groupOf[k] = g;
    w = new int[n][nodes][costs.bitOptionCount()];
    s = new int[Math.max(n - 1, 0)][nodes];
    y = new int[Math.max(n - 1, 0)][groups.size()][groups.size()];
    v = new int[n][classBandwidth.length][costs.rhoOptionCount()];
    createVariables();
  }

  /** The complete single-model ILP, every family included. */
  public static PlacementIlp build(CostModel costs) {
    LinearModel model = new LinearModel();
    PlacementIlp ilp = addModel(model, costs, "");
    addMemory(model, List.of(ilp));
    ilp.symmetry();
    model.setMaxActiveObjectiveTerms(ilp.activeObjectiveTerms());
    return ilp;
  }

  /**
   * Adds one model's variables and all its families except memory (which several models may
   * share, see {@link #addMemory}) and symmetry (which is only valid for one model at a time).
   */
  public static PlacementIlp addModel(LinearModel model, CostModel costs, String prefix) {
    PlacementIlp ilp = new PlacementIlp(model, costs, prefix);
    ilp.assignment();
    ilp.cuts();
    ilp.quality();
    ilp.privacy();
    ilp.objective();
    return ilp;
  }

  public LinearModel model() {
    return model;
  }

  public CostModel costs() {
    return costs;
  }

  int activeObjectiveTerms() {
    return 3 * n;
  }

  /** How many link groups the nodes form (see the class comment). */
  public int linkGroupCount() {
    return groups.size();
  }

  private void createVariables() {
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nodes; k++) {
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          w[i][k][b] =
              costs.bitsAvailable(i, b)
                  ? model.addBinary(prefix + "w[" + i + "," + k + "," + costs.bits(b) + "]")
                  : -1;
        }
      }
    }
    for (int c = 0; c < n - 1; c++) {
      for (int k = 0; k < nodes; k++) s[c][k] = model.addBinary(prefix + "s[" + c + "," + k + "]");
      for (int g = 0; g < groups.size(); g++) {
        for (int g2 = 0; g2 < groups.size(); g2++) {
          y[c][g][g2] =
              groupArc(g, g2) != null
                  ? model.addBinary(prefix + "y[" + c + "," + g + "," + g2 + "]")
                  : -1;
        }
      }
    }
    for (int c = -1; c < n - 1; c++) {
      for (int g = 0; g < classBandwidth.length; g++) {
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          v[c + 1][g][r] =
              costs.rhoAvailable(c, r)
                  ? model.addBinary(prefix + "v[" + c + "," + g + "," + costs.rho(r) + "]")
                  : -1;
        }
      }
    }
  }

  /** x[i,k] = Σ_b w[i,k,b] as terms with the given coefficient. */
  private void addPlacement(List<Term> terms, int i, int k, double coefficient) {
    for (int var : w[i][k]) {
      if (var >= 0) terms.add(new Term(var, coefficient));
    }
  }

  // ---- families ------------------------------------------------------------------------------

  /** Assignment: every layer runs on exactly one node at exactly one bit width. */
  void assignment() {
    for (int i = 0; i < n; i++) {
      List<Term> terms = new ArrayList<>();
      for (int k = 0; k < nodes; k++) addPlacement(terms, i, k, 1);
      model.addRow(Family.ASSIGNMENT, prefix + "assign[" + i + "]", terms, 1, 1);
    }
  }

  /**
   * Cuts: the hop after each layer leaves the node that runs it and enters the node that runs the
   * next layer (flow conservation); a hop between two different nodes picks exactly one ρ on the
   * bandwidth class of the link it uses; layers can only be placed where a link carries their
   * activations in and, for the last layer, the sampled token back to the origin.
   */
  void cuts() {
    int origin = costs.origin();
    for (int c = 0; c < n - 1; c++) {
      for (int k = 0; k < nodes; k++) {
        // s[c,k] ≤ x[c,k] and s[c,k] ≤ x[c+1,k]
        List<Term> before = new ArrayList<>(List.of(new Term(s[c][k], 1)));
        List<Term> after = new ArrayList<>(List.of(new Term(s[c][k], 1)));
        addPlacement(before, c, k, -1);
        addPlacement(after, c + 1, k, -1);
        model.addRow(Family.CUTS, prefix + "stay[" + c + "," + k + "]", before, Double.NEGATIVE_INFINITY, 0);
        model.addRow(Family.CUTS, prefix + "stay'[" + c + "," + k + "]", after, Double.NEGATIVE_INFINITY, 0);
      }
      for (int g = 0; g < groups.size(); g++) {
        // Σ_g' y[c,g,g'] = Σ_{k∈g} (x[c,k] − s[c,k]) and Σ_g' y[c,g',g] = Σ_{k∈g} (x[c+1,k] − s[c,k])
        List<Term> out = new ArrayList<>();
        List<Term> in = new ArrayList<>();
        for (int g2 = 0; g2 < groups.size(); g2++) {
          if (y[c][g][g2] >= 0) out.add(new Term(y[c][g][g2], 1));
          if (y[c][g2][g] >= 0) in.add(new Term(y[c][g2][g], 1));
        }
        for (int k : groups.get(g)) {
          addPlacement(out, c, k, -1);
          addPlacement(in, c + 1, k, -1);
          out.add(new Term(s[c][k], 1));
          in.add(new Term(s[c][k], 1));
        }
        model.addRow(Family.CUTS, prefix + "leave[" + c + "," + g + "]", out, 0, 0);
        model.addRow(Family.CUTS, prefix + "enter[" + c + "," + g + "]", in, 0, 0);
      }
    }
    for (int c = -1; c < n - 1; c++) {
      for (int g = 0; g < classBandwidth.length; g++) {
        List<Term> terms = new ArrayList<>();
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          if (v[c + 1][g][r] >= 0) terms.add(new Term(v[c + 1][g][r], 1));
        }
        if (c < 0) {
          for (int k2 = 0; k2 < nodes; k2++) {
            if (classOf[origin][k2] == g) addPlacement(terms, 0, k2, -1);
          }
        } else {
          for (int g1 = 0; g1 < groups.size(); g1++) {
            for (int g2 = 0; g2 < groups.size(); g2++) {
              if (y[c][g1][g2] >= 0 && classOf[groupArc(g1, g2)[0]][groupArc(g1, g2)[1]] == g) {
                terms.add(new Term(y[c][g1][g2], -1));
              }
            }
          }
        }
        model.addRow(Family.CUTS, prefix + "rho[" + c + "," + g + "]", terms, 0, 0);
      }
    }
    for (int k = 0; k < nodes; k++) {
      if (!costs.linked(origin, k)) forbidPlacement(0, k);
      if (!costs.linked(k, origin)) forbidPlacement(n - 1, k);
    }
  }

  private void forbidPlacement(int i, int k) {
    for (int var : w[i][k]) {
      if (var >= 0) model.forbid(var);
    }
  }

  /** Quality: the layers' weight losses plus the cuts' activation losses stay within the budget. */
  void quality() {
    List<Term> terms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nodes; k++) {
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          if (w[i][k][b] >= 0 && costs.layerQuality(i, b) != 0) {
            terms.add(new Term(w[i][k][b], costs.layerQuality(i, b)));
          }
        }
      }
    }
    for (int c = -1; c < n - 1; c++) {
      for (int g = 0; g < classBandwidth.length; g++) {
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          if (v[c + 1][g][r] >= 0 && costs.cutQuality(c, r) != 0) {
            terms.add(new Term(v[c + 1][g][r], costs.cutQuality(c, r)));
          }
        }
      }
    }
    model.addRow(
        Family.QUALITY, prefix + "quality", terms, Double.NEGATIVE_INFINITY, costs.qualityBudget());
  }

  /** Privacy: with keepTokensOnOrigin, layer 0 runs on the origin, so raw tokens never leave it. */
  void privacy() {
    if (!costs.problem().options().keepTokensOnOrigin()) return;
    List<Term> terms = new ArrayList<>();
    addPlacement(terms, 0, costs.origin(), 1);
    model.addRow(Family.PRIVACY, prefix + "privacy", terms, 1, 1);
  }

  /**
   * Memory: on every node, the weights at their bits, the KV cache for p + n tokens, the LM head
   * (with the last layer) and the embedding (on the origin) of all models fit in its memory.
   */
  public static void addMemory(LinearModel model, List<PlacementIlp> models) {
    CostModel first = models.get(0).costs;
    for (int k = 0; k < first.nodeCount(); k++) {
      List<Term> terms = new ArrayList<>();
      double capacity = first.memoryCapacity(k);
      for (PlacementIlp ilp : models) {
        if (k == ilp.costs.origin()) capacity -= ilp.costs.embeddingBytes();
        for (int i = 0; i < ilp.n; i++) {
          for (int b = 0; b < ilp.costs.bitOptionCount(); b++) {
            int var = ilp.w[i][k][b];
            if (var < 0) continue;
            long bytes = ilp.costs.layerMemoryBytes(i, b) + (i == ilp.n - 1 ? ilp.costs.headBytes() : 0);
            terms.add(new Term(var, bytes));
          }
        }
      }
      model.addRow(
          Family.MEMORY, "memory[" + first.node(k).name() + "]", terms, Double.NEGATIVE_INFINITY, capacity);
    }
  }

  /**
   * Nodes whose links are indistinguishable: same link (or none) to and from every other node, and
   * the same link between any two of them.
   */
  private List<int[]> linkGroups() {
    List<List<Integer>> found = new ArrayList<>();
    for (int k = 0; k < nodes; k++) {
      final int candidate = k;
      List<Integer> home = null;
      for (List<Integer> group : found) {
        if (group.stream().allMatch(member -> sameLinks(member, candidate, group))) {
          home = group;
          break;
        }
      }
      if (home == null) found.add(new ArrayList<>(List.of(k)));
      else home.add(k);
    }
    return found.stream().map(g -> g.stream().mapToInt(Integer::intValue).toArray()).toList();
  }

  private boolean sameLinks(int a, int b, List<Integer> group) {
    if (!sameLink(a, b, b, a)) return false;
    for (int member : group) {
      if (member != a && !sameLink(a, b, member, b)) return false; // links within the group agree
    }
    for (int m = 0; m < nodes; m++) {
      if (m == a || m == b) continue;
      if (!sameLink(a, m, b, m) || !sameLink(m, a, m, b)) return false;
    }
    return true;
  }

  /** A representative link (from, to) from group g to a different node of group g2, or null. */
  private int[] groupArc(int g, int g2) {
    int[] from = groups.get(g);
    int[] to = groups.get(g2);
    for (int a : from) {
      for (int b : to) {
        if (a != b) return costs.linked(a, b) ? new int[] {a, b} : null;
      }
    }
    return null;
  }

  /**
   * Symmetry: nodes that are interchangeable (same compute, memory, tier and links, not the origin)
   * are used in order of their first layer, which removes the permutations of equivalent plans.
   */
  void symmetry() {
    for (List<Integer> group : interchangeableNodes()) {
      for (int j = 0; j + 1 < group.size(); j++) {
        int earlier = group.get(j);
        int later = group.get(j + 1);
        for (int i = 0; i < n; i++) {
          // x[i, later] ≤ Σ_{i' < i} x[i', earlier]
          List<Term> terms = new ArrayList<>();
          addPlacement(terms, i, later, 1);
          for (int before = 0; before < i; before++) addPlacement(terms, before, earlier, -1);
          model.addRow(
              Family.SYMMETRY,
              prefix + "order[" + earlier + "<" + later + "," + i + "]",
              terms,
              Double.NEGATIVE_INFINITY,
              0);
        }
      }
    }
  }

  List<List<Integer>> interchangeableNodes() {
    List<List<Integer>> groups = new ArrayList<>();
    boolean[] grouped = new boolean[nodes];
    for (int k = 0; k < nodes; k++) {
      if (grouped[k] || k == costs.origin()) continue;
      List<Integer> group = new ArrayList<>(List.of(k));
      for (int k2 = k + 1; k2 < nodes; k2++) {
        if (!grouped[k2] && k2 != costs.origin() && interchangeable(k, k2)) {
          group.add(k2);
          grouped[k2] = true;
        }
      }
      if (group.size() > 1) groups.add(group);
    }
    return groups;
  }

  private boolean interchangeable(int a, int b) {
    ComputeNode na = costs.node(a);
    ComputeNode nb = costs.node(b);
    if (na.flopsPerSecond() != nb.flopsPerSecond()
        || na.memoryBandwidth() != nb.memoryBandwidth()
        || na.memoryBytes() != nb.memoryBytes()
        || na.tier() != nb.tier()) {
      return false;
    }
    if (!sameLink(a, b, b, a)) return false;
    for (int m = 0; m < nodes; m++) {
      if (m == a || m == b) continue;
      if (!sameLink(a, m, b, m) || !sameLink(m, a, m, b)) return false;
    }
    return true;
  }

  private boolean sameLink(int from1, int to1, int from2, int to2) {
    return costs.linked(from1, to1) == costs.linked(from2, to2)
        && costs.bandwidth(from1, to1) == costs.bandwidth(from2, to2)
        && costs.latencySeconds(from1, to1) == costs.latencySeconds(from2, to2);
  }

  /**
   * Objective: T_total. A layer costs its prefill and n decode steps where it runs; the last layer
   * also brings the LM head and the token's trip back to the origin; a cut costs its link latency
   * once in prefill and once per decode step, and moves p + n·b activations at its ρ (b sessions
   * batched per decode step).
   */
  void objective() {
    int origin = costs.origin();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nodes; k++) {
        double extra = 0;
        if (i == 0 && k != origin && costs.linked(origin, k)) {
          extra += (1 + costs.problem().workload().outputTokens()) * costs.latencySeconds(origin, k);
        }
        if (i == n - 1) extra += costs.tailTotalSeconds(k);
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          if (w[i][k][b] >= 0) model.addObjective(w[i][k][b], costs.layerTotalSeconds(i, k, b) + extra);
        }
      }
    }
    int steps = 1 + costs.problem().workload().outputTokens();
    for (int c = 0; c < n - 1; c++) {
      for (int g = 0; g < groups.size(); g++) {
        for (int g2 = 0; g2 < groups.size(); g2++) {
          if (y[c][g][g2] >= 0) {
            int[] arc = groupArc(g, g2);
            model.addObjective(y[c][g][g2], steps * costs.latencySeconds(arc[0], arc[1]));
          }
        }
      }
    }
    long tokens = costs.cutTokens();
    for (int c = -1; c < n - 1; c++) {
      for (int g = 0; g < classBandwidth.length; g++) {
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          if (v[c + 1][g][r] < 0) continue;
          model.addObjective(
              v[c + 1][g][r], tokens * costs.cutWidth(c) * costs.cutAverageBits(r) / 8 / classBandwidth[g]);
        }
      }
    }
  }

  // ---- reading solutions and hints -----------------------------------------------------------

  /** The assignment a solution describes. */
  public Assignment decode(double[] values) {
    int[] nodeOf = new int[n];
    int[] bitsOf = new int[n];
    int[] rhoOf = new int[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nodes; k++) {
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          if (w[i][k][b] >= 0 && values[w[i][k][b]] > 0.5) {
            nodeOf[i] = k;
            bitsOf[i] = b;
          }
        }
      }
    }
    for (int c = -1; c < n - 1; c++) {
      rhoOf[c + 1] = -1;
      int from = c < 0 ? costs.origin() : nodeOf[c];
      int to = nodeOf[c + 1];
      if (from == to) continue;
      int g = classOf[from][to];
      for (int r = 0; r < costs.rhoOptionCount(); r++) {
        if (g >= 0 && v[c + 1][g][r] >= 0 && values[v[c + 1][g][r]] > 0.5) rhoOf[c + 1] = r;
      }
    }
    return new Assignment(nodeOf, bitsOf, rhoOf);
  }

  /** Variable values that encode the assignment, for warm starts. */
  public Map<Integer, Integer> hint(Assignment a) {
    Map<Integer, Integer> hint = new HashMap<>();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < nodes; k++) {
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          if (w[i][k][b] >= 0) hint.put(w[i][k][b], a.nodes()[i] == k && a.bits()[i] == b ? 1 : 0);
        }
      }
    }
    for (int c = 0; c < n - 1; c++) {
      int from = a.nodes()[c];
      int to = a.nodes()[c + 1];
      for (int k = 0; k < nodes; k++) hint.put(s[c][k], from == k && to == k ? 1 : 0);
      for (int g = 0; g < groups.size(); g++) {
        for (int g2 = 0; g2 < groups.size(); g2++) {
          if (y[c][g][g2] < 0) continue;
          hint.put(y[c][g][g2], from != to && groupOf[from] == g && groupOf[to] == g2 ? 1 : 0);
        }
      }
    }
    for (int c = -1; c < n - 1; c++) {
      int from = a.sender(c, costs.origin());
      int to = a.receiver(c);
      for (int g = 0; g < classBandwidth.length; g++) {
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          if (v[c + 1][g][r] < 0) continue;
          boolean on = from != to && classOf[from][to] == g && a.rhoAt(c) == r;
          hint.put(v[c + 1][g][r], on ? 1 : 0);
        }
      }
    }
    return hint;
  }

  /** Variables of layer placements, for restricted models such as baselines. */
  public int placementVariable(int i, int k, int b) {
    return w[i][k][b];
  }

  /** The quality row's terms: minimising them finds the smallest feasible budget. */
  public List<Term> qualityTerms() {
    return model.rowsOf(Family.QUALITY).stream()
        .filter(r -> r.name().equals(prefix + "quality"))
        .findFirst()
        .orElseThrow()
        .terms();
  }
}
