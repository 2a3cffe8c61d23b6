package io.dilemma.planner;

import io.dilemma.planner.ilp.IlpBackend;
import io.dilemma.planner.ilp.LinearModel.Family;
import io.dilemma.planner.ilp.SolveRequest;
import io.dilemma.planner.ilp.SolveResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plans Dilemma is compared against, computed by the same cost model. Each baseline is either
 * a fixed rule (evaluated as is, and flagged when it breaks a constraint) or the placement ILP
 * with options taken away (solved by the given backend).
 */
public final class Baselines {
  /**
   * @param name what the baseline does
   * @param evaluation its cost, or null when the rule yields no assignment at all
   * @param note why it has no assignment or which constraint it breaks; empty when feasible
   * @param assignment what the rule decided, null when it yields none
   */
  public record Result(String name, Evaluation evaluation, String note, Assignment assignment) {
    /** The rule yields no assignment at all. */
    Result(String name, String note) {
      this(name, null, note, null);
    }

    public boolean feasible() {
      return evaluation != null && evaluation.feasible();
    }
  }

  private final IlpBackend backend;

  public Baselines(IlpBackend backend) {
    this.backend = backend;
  }

  public List<Result> all(PlanningProblem problem) {
    CostModel costs = new CostModel(problem);
    return List.of(
        allOnOrigin16Bits(costs), bestSingleNode(costs), uniform8BitsOptimalPlacement(costs), memoryProportional(costs));
  }

  /** Everything on the origin at 16 bits: no split, no quantization. */
  public Result allOnOrigin16Bits(CostModel costs) {
    String name = "all on origin, 16 bits";
    int b = costs.problem().options().allowedBits().indexOf(16);
    if (b < 0) return new Result(name, "16 bits not allowed");
    int n = costs.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] rho = new int[n];
    Arrays.fill(nodes, costs.origin());
    Arrays.fill(bits, b);
    Arrays.fill(rho, -1);
    return evaluated(name, costs, new Assignment(nodes, bits, rho));
  }

  /**
   * Every layer on one node (the embedding stays on the origin), bits and ρ chosen optimally, the
   * best such node. Privacy is waived here: offloading the whole model is the point of the rule.
   */
  public Result bestSingleNode(CostModel costs) {
    String name = "best single node";
    Result best = null;
    for (int k = 0; k < costs.nodeCount(); k++) {
      PlacementIlp ilp = PlacementIlp.build(costs);
      for (int i = 0; i < costs.layerCount(); i++) {
        for (int other = 0; other < costs.nodeCount(); other++) {
          if (other != k) forbidNode(ilp, i, other);
        }
      }
      Result r = solved(name + " (" + costs.node(k).name() + ")", ilp, Set.of(Family.PRIVACY));
      if (r.feasible() && (best == null || seconds(r) < seconds(best))) best = r;
    }
    return best != null ? best : new Result(name, "no single node can hold the model");
  }

  /** The ILP's placement with every layer at 8 bits. */
  public Result uniform8BitsOptimalPlacement(CostModel costs) {
    String name = "uniform 8 bits, optimal placement";
    PlacementIlp ilp = PlacementIlp.build(costs);
    for (int i = 0; i < costs.layerCount(); i++) {
      for (int k = 0; k < costs.nodeCount(); k++) {
        for (int b = 0; b < costs.bitOptionCount(); b++) {
          int var = ilp.placementVariable(i, k, b);
          if (var >= 0 && costs.bits(b) != 8) ilp.model().forbid(var);
        }
      }
    }
    return solved(name, ilp, Set.of());
  }

  /**
   * How exo splits a model: contiguous runs, each node's share of layers proportional to its
   * memory, origin first, then the other nodes in cluster order, at 16 bits and the most faithful
   * ρ allowed.
   */
  public Result memoryProportional(CostModel costs) {
    String name = "memory-proportional contiguous (exo)";
    int b = costs.problem().options().allowedBits().indexOf(16);
    if (b < 0) return new Result(name, "16 bits not allowed");
    List<Integer> order = new ArrayList<>(List.of(costs.origin()));
    for (int k = 0; k < costs.nodeCount(); k++) if (k != costs.origin()) order.add(k);
    int n = costs.layerCount();
    int[] share = proportionalShares(costs, order, n);
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int layer = 0;
    for (int j = 0; j < order.size(); j++) {
      for (int s = 0; s < share[j]; s++, layer++) {
        nodes[layer] = order.get(j);
        bits[layer] = b;
      }
    }
    int[] rho = new int[n];
    for (int c = -1; c < n - 1; c++) {
      int from = c < 0 ? costs.origin() : nodes[c];
      rho[c + 1] = from == nodes[c + 1] ? -1 : mostFaithfulRho(costs, c);
    }
    return evaluated(name, costs, new Assignment(nodes, bits, rho));
  }

  /** Largest-remainder apportionment of n layers by memory. */
  private static int[] proportionalShares(CostModel costs, List<Integer> order, int n) {
    double total = order.stream().mapToDouble(costs::memoryCapacity).sum();
    int[] share = new int[order.size()];
    double[] remainder = new double[order.size()];
    int given = 0;
    for (int j = 0; j < order.size(); j++) {
      double exact = total == 0 ? (double) n / order.size() : n * costs.memoryCapacity(order.get(j)) / total;
      share[j] = (int) Math.floor(exact);
      remainder[j] = exact - share[j];
      given += share[j];
    }
    while (given < n) {
      int best = 0;
      for (int j = 1; j < order.size(); j++) if (remainder[j] > remainder[best]) best = j;
      share[best]++;
      remainder[best] = -1;
      given++;
    }
    return share;
  }

  private static int mostFaithfulRho(CostModel costs, int cut) {
    int best = -1;
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (costs.rhoAvailable(cut, r) && (best < 0 || costs.rho(r) > costs.rho(best))) best = r;
    }
    return best;
  }

  private static void forbidNode(PlacementIlp ilp, int i, int k) {
    for (int b = 0; b < ilp.costs().bitOptionCount(); b++) {
      int var = ilp.placementVariable(i, k, b);
      if (var >= 0) ilp.model().forbid(var);
    }
  }

  private Result solved(String name, PlacementIlp ilp, Set<Family> dropped) {
    SolveResult r =
        backend.solve(new SolveRequest(ilp.model(), dropped, ilp.costs().problem().options().timeLimit(), Map.of()));
    if (!r.hasSolution()) return new Result(name, r.provenInfeasible() ? "infeasible" : "no solution in the time limit");
    Assignment a = ilp.decode(r.values());
    Evaluation e = PlanEvaluator.evaluate(ilp.costs(), a);
    if (dropped.contains(Family.PRIVACY)) e = e.ignoring(Evaluation.Violation.Kind.PRIVACY);
    return new Result(name, e, describe(e), a);
  }

  private static Result evaluated(String name, CostModel costs, Assignment a) {
    Evaluation e = PlanEvaluator.evaluate(costs, a);
    return new Result(name, e, describe(e), a);
  }

  private static String describe(Evaluation e) {
    return String.join("; ", e.violations());
  }

  private static double seconds(Result r) {
    return r.evaluation().time().totalSeconds();
  }
}
