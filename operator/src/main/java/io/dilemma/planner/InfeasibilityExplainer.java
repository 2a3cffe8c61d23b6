package io.dilemma.planner;

import io.dilemma.planner.ilp.IlpBackend;
import io.dilemma.planner.ilp.LinearModel;
import io.dilemma.planner.ilp.LinearModel.Family;
import io.dilemma.planner.ilp.SolveRequest;
import io.dilemma.planner.ilp.SolveResult;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Says why no plan exists by solving relaxations: drop the quality budget first (the one knob a
 * user can turn), then privacy as well; then add every missing link (connectivity). The first
 * relaxation that becomes feasible names the family to blame; if none does, memory is short.
 */
final class InfeasibilityExplainer {
  private final IlpBackend backend;

  InfeasibilityExplainer(IlpBackend backend) {
    this.backend = backend;
  }

  Plan.Infeasibility explain(CostModel costs, SolveResult failed) {
    PlanningProblem problem = costs.problem();
    if (!failed.provenInfeasible()) {
      return new Plan.Infeasibility(
          Plan.Infeasibility.Family.TIME_LIMIT,
          "No plan was found within the time limit of "
              + problem.options().timeLimit().toMillis()
              + " ms, and infeasibility was not proven either; raise the time limit.",
          null);
    }
    PlacementIlp ilp = PlacementIlp.build(costs);
    if (feasibleWithout(ilp, EnumSet.of(Family.QUALITY))) {
      Double minimal = smallestBudget(costs);
      if (minimal == null) {
        return new Plan.Infeasibility(
            Plan.Infeasibility.Family.QUALITY,
            "The quality budget is too small for these nodes, and the smallest sufficient budget was"
                + " not found within the time limit.",
            null);
      }
      return new Plan.Infeasibility(
          Plan.Infeasibility.Family.QUALITY,
          String.format(
              Locale.ROOT,
              "The quality budget %s is below the smallest loss any plan reaches on these nodes;"
                  + " the smallest feasible budget is %s.",
              sixDigits(problem.qualityBudget()), sixDigits(minimal)),
          minimal);
    }
    if (problem.options().keepTokensOnOrigin()
        && feasibleWithout(ilp, EnumSet.of(Family.QUALITY, Family.PRIVACY))) {
      return new Plan.Infeasibility(
          Plan.Infeasibility.Family.PRIVACY,
          "keepTokensOnOrigin needs layer 0 on "
              + problem.cluster().origin()
              + ", which cannot hold it next to the embedding and whatever else must stay there;"
              + " give the origin more memory or allow tokens to leave it.",
          null);
    }
    Set<Family> qualityAndPrivacy = EnumSet.of(Family.QUALITY, Family.PRIVACY);
    if (feasibleWithout(PlacementIlp.build(new CostModel(fullyLinked(problem))), qualityAndPrivacy)) {
      return new Plan.Infeasibility(
          Plan.Infeasibility.Family.CONNECTIVITY,
          "The nodes have room for the model, but the links do not connect them in a chain that"
              + " starts at the origin "
              + problem.cluster().origin()
              + " and returns the sampled token to it; add links.",
          null);
    }
    return new Plan.Infeasibility(Plan.Infeasibility.Family.MEMORY, memoryExplanation(costs), null);
  }

  /** The same problem with a link wherever one is missing (slowest bandwidth, longest latency). */
  private static PlanningProblem fullyLinked(PlanningProblem problem) {
    Cluster cluster = problem.cluster();
    double bandwidth = cluster.links().stream().mapToDouble(Link::bandwidth).min().orElse(1);
    double latency = cluster.links().stream().mapToDouble(Link::latencySeconds).max().orElse(0);
    List<Link> links = new ArrayList<>(cluster.links());
    for (ComputeNode a : cluster.nodes()) {
      for (ComputeNode b : cluster.nodes()) {
        if (a != b && cluster.link(a.name(), b.name()).isEmpty()) {
          links.add(new Link(a.name(), b.name(), bandwidth, latency));
        }
      }
    }
    return new PlanningProblem(
        problem.id(), problem.model(), new Cluster(cluster.nodes(), links, cluster.origin()),
        problem.workload(), problem.qualityBudget(), problem.options());
  }

  private boolean feasibleWithout(PlacementIlp ilp, Set<Family> dropped) {
    SolveResult r =
        backend.solve(
            new SolveRequest(ilp.model(), dropped, ilp.costs().problem().options().timeLimit(), Map.of()));
    return r.hasSolution();
  }

  /** The least quality loss reachable under every other constraint: minimise the quality row. */
  private Double smallestBudget(CostModel costs) {
    PlacementIlp ilp = PlacementIlp.build(costs);
    LinearModel model = ilp.model();
    model.clearObjective();
    for (LinearModel.Term t : ilp.qualityTerms()) model.addObjective(t.variable(), t.coefficient());
    SolveResult r =
        backend.solve(
            new SolveRequest(model, EnumSet.of(Family.QUALITY), costs.problem().options().timeLimit(), Map.of()));
    if (!r.hasSolution()) return null;
    return PlanEvaluator.evaluate(costs, ilp.decode(r.values())).qualityUsed();
  }

  /** 6 significant digits without trailing zeros: a budget of 0 reads "0", not "0.00000". */
  private static String sixDigits(double value) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
  }

  private static String memoryExplanation(CostModel costs) {
    long smallest = costs.embeddingBytes() + costs.headBytes();
    for (int i = 0; i < costs.layerCount(); i++) {
      long best = Long.MAX_VALUE;
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        if (costs.bitsAvailable(i, b)) best = Math.min(best, costs.layerMemoryBytes(i, b));
      }
      smallest += best;
    }
    long total = 0;
    for (int k = 0; k < costs.nodeCount(); k++) total += costs.memoryCapacity(k);
    if (smallest > total) {
      return String.format(
          Locale.ROOT,
          "Even at the fewest allowed bits the model needs %s (weights + KV cache for %d tokens"
              + " of each of %d sessions), but the nodes offer %s in total.",
          bytes(smallest),
          costs.problem().workload().promptTokens() + costs.problem().workload().outputTokens(),
          costs.decodeTokensPerStep(),
          bytes(total));
    }
    return String.format(
        Locale.ROOT,
        "The model needs at least %s and the nodes offer %s in total, but no split of the layers"
            + " fits each node's memory (layers are indivisible; the origin also holds the"
            + " embedding, the last node the LM head).",
        bytes(smallest), bytes(total));
  }

  private static String bytes(long b) {
    return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
  }
}
