package io.dilemma.planner;

import io.dilemma.planner.ilp.IlpBackend;
import io.dilemma.planner.ilp.LinearModel;
import io.dilemma.planner.ilp.SolveRequest;
import io.dilemma.planner.ilp.SolveResult;
import io.dilemma.planner.ilp.SolverStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans by building {@link PlacementIlp} and handing it to one {@link IlpBackend}; the plan's
 * numbers always come from {@link PlanEvaluator}, never from the solver's rounded objective.
 */
public class IlpPlanner implements Planner {
  private final IlpBackend backend;
  private final boolean chainSearchFirst;

  public IlpPlanner(IlpBackend backend) {
    this(backend, false);
  }

  /**
   * @param chainSearchFirst try the exact {@link ChainSearch} before the backend; off for the MIP
   *     backends, which exist to be compared on the ILP itself
   */
  public IlpPlanner(IlpBackend backend, boolean chainSearchFirst) {
    this.backend = backend;
    this.chainSearchFirst = chainSearchFirst;
  }

  public IlpBackend backend() {
    return backend;
  }

  @Override
  /**
   * Solves without the nodes no optimal plan needs ({@link NodeDominance}), and judges the answer
   * on the whole problem: the plan, its numbers and any infeasibility are the full problem's.
   */
  public Plan plan(PlanningProblem problem) {
    CostModel costs = new CostModel(problem);
    NodeDominance dominance = NodeDominance.of(costs);
    CostModel solved = dominance.reduced();
    PlacementIlp ilp = PlacementIlp.build(solved);
    Assignment start = warmStart(costs, dominance, problem.options().previous());
    Assignment bestKnown = start;
    double searchSeconds = 0;
    if (chainSearchFirst && ChainSearch.worthTrying(solved, ilp)) {
      long began = System.nanoTime();
      ChainSearch.Result searched = ChainSearch.solve(solved, ilp, fasterOf(solved, start, TwoShardChain.find(solved)));
      searchSeconds = (System.nanoTime() - began) / 1e9;
      if ((searched.proven() || searched.goodEnough()) && searched.best() != null) {
        return checkedPlan(costs, dominance.toFull(searched.best()), chainSearchReport(searched, searchSeconds));
      }
      // The search's best is kept for the case CP-SAT finds nothing, but not given as its hint: on
      // the opt-6.7b example its best (40.16 s, vs 40.39 s for the warm start) made CP-SAT's proof
      // take 5.3-6.1 s of CPU instead of 2.3-2.9 s, three runs each (PLANNER.md).
      if (searched.best() != null) bestKnown = searched.best();
    }
    Map<Integer, Integer> hint = start == null ? Map.of() : ilp.hint(start);
    Double goodEnough = problem.options().goodEnoughSeconds();
    SolveResult result =
        backend.solve(
            new SolveRequest(
                ilp.model(), Set.of(), problem.options().timeLimit(), hint,
                goodEnough == null ? Double.POSITIVE_INFINITY : goodEnough));
    result = result.afterSearching(searchSeconds);
    if (result.hasSolution()) {
      return checkedPlan(costs, dominance.toFull(ilp.decode(result.values())), report(result));
    }
    if (!result.provenInfeasible() && bestKnown != null && PlanEvaluator.evaluate(solved, bestKnown).feasible()) {
      Assignment fallback = dominance.toFull(bestKnown);
      return checkedPlan(costs, fallback, warmStartReport(result, costs, fallback));
    }
    Plan.Infeasibility why = new InfeasibilityExplainer(backend).explain(costs, result);
    return infeasiblePlan(problem.id(), report(result), why);
  }

  /**
   * The fastest, as the evaluator prices them in this problem, of the running plan (moved onto the
   * kept nodes), its shards relocated ({@link ShardRelocation}: after a link change, often the
   * way around it) and the chain DP's plan. In the reduced problem's indices; the running plan
   * when none fits (a hint need not be feasible to help), null when there is none.
   */
  private static Assignment warmStart(CostModel costs, NodeDominance dominance, Plan previous) {
    CostModel reduced = dominance.reduced();
    Assignment running = previousAssignment(costs, previous);
    Assignment moved = running == null ? null : dominance.toReduced(running);
    Assignment best = moved;
    double bestSeconds = feasibleSeconds(reduced, moved);
    List<Assignment> others = new ArrayList<>();
    if (moved != null) others.add(ShardRelocation.fastest(reduced, moved));
    others.add(ChainDpHeuristic.find(reduced));
    for (Assignment candidate : others) {
      double seconds = feasibleSeconds(reduced, candidate);
      if (seconds < bestSeconds || best == null) {
        best = candidate == null ? best : candidate;
        bestSeconds = Math.min(bestSeconds, seconds);
      }
    }
    return best;
  }

  /**
   * The faster feasible one of two starting plans, for the chain search only: CP-SAT keeps the
   * warm start as its hint (a better hint from the search once made its proof slower, above).
   */
  private static Assignment fasterOf(CostModel costs, Assignment a, Assignment b) {
    return feasibleSeconds(costs, b) < feasibleSeconds(costs, a) ? b : a;
  }

  /** T_total of a feasible assignment, +∞ for an infeasible or missing one. */
  private static double feasibleSeconds(CostModel costs, Assignment a) {
    if (a == null) return Double.POSITIVE_INFINITY;
    Evaluation e = PlanEvaluator.evaluate(costs, a);
    return e.feasible() ? e.time().totalSeconds() : Double.POSITIVE_INFINITY;
  }

  /**
   * The solver ran out of time before it even registered the warm start (large models on a busy
   * machine): the warm start is still a valid plan, so return it rather than nothing.
   */
  private static Plan.SolverReport warmStartReport(SolveResult r, CostModel costs, Assignment start) {
    double seconds = PlanEvaluator.evaluate(costs, start).time().totalSeconds();
    double bound = Double.isNaN(r.bound()) ? 0 : r.bound();
    return new Plan.SolverReport(
        r.solver() + " (warm start)", SolverStatus.FEASIBLE, seconds, bound, seconds == 0 ? 0 : (seconds - bound) / seconds,
        r.wallSeconds(), r.roundingBound());
  }

  /**
   * The chain search proved its plan optimal, or stopped at one that is good enough. It sums times
   * in doubles, in the evaluator's terms, so the only rounding is floating point's (reported as
   * 10⁻⁹ of T_total, far above it).
   */
  private static Plan.SolverReport chainSearchReport(ChainSearch.Result r, double wallSeconds) {
    double seconds = r.bestSeconds();
    double bound = Math.min(seconds, r.boundSeconds());
    return new Plan.SolverReport(
        "chain search", r.proven() ? SolverStatus.OPTIMAL : SolverStatus.FEASIBLE, seconds, bound,
        seconds == 0 ? 0 : (seconds - bound) / seconds, wallSeconds, ChainSearch.TOLERANCE * seconds);
  }

  /** Turns a solver's assignment into a plan, and insists the evaluator agrees it is feasible. */
  static Plan checkedPlan(CostModel costs, Assignment a, Plan.SolverReport report) {
    Evaluation evaluation = PlanEvaluator.evaluate(costs, a);
    if (!evaluation.feasible()) {
      throw new IllegalStateException(
          "solver returned a plan the cost model rejects: " + evaluation.violations());
    }
    return PlanEvaluator.toPlan(costs, a, report);
  }

  static Plan infeasiblePlan(String id, Plan.SolverReport report, Plan.Infeasibility why) {
    return new Plan(id, List.of(), List.of(), null, null, 0, Map.of(), 0, report, why);
  }

  static Plan.SolverReport report(SolveResult r) {
    return new Plan.SolverReport(
        r.solver(), r.status(), r.objective(), r.bound(), r.gap(), r.wallSeconds(), r.roundingBound());
  }

  private static Assignment previousAssignment(CostModel costs, Plan previous) {
    if (previous == null || !previous.feasible()) return null;
    return RecordedPlan.read(costs, previous).assignment();
  }

  @Override
  public List<Plan> planAll(List<PlanningProblem> problems, MultiModelMode mode) {
    if (problems.isEmpty()) return List.of();
    return mode == MultiModelMode.JOINT ? planJointly(problems) : planInOrder(problems);
  }

  /** Each model in priority order, on the memory the earlier ones left. */
  private List<Plan> planInOrder(List<PlanningProblem> problems) {
    Map<String, Long> used = new HashMap<>();
    List<Plan> plans = new ArrayList<>();
    for (PlanningProblem problem : problems) {
      Plan plan = plan(withResidualMemory(problem, used));
      plan.memoryByNode().forEach((node, bytes) -> used.merge(node, bytes, Long::sum));
      plans.add(plan);
    }
    return List.copyOf(plans);
  }

  static PlanningProblem withResidualMemory(PlanningProblem problem, Map<String, Long> used) {
    Cluster cluster = problem.cluster();
    List<ComputeNode> nodes =
        cluster.nodes().stream()
            .map(n -> n.withMemoryBytes(Math.max(0, n.memoryBytes() - used.getOrDefault(n.name(), 0L))))
            .toList();
    return new PlanningProblem(
        problem.id(),
        problem.model(),
        new Cluster(nodes, cluster.links(), cluster.origin()),
        problem.workload(),
        problem.qualityBudget(),
        problem.options());
  }

  /**
   * One model for all deployments: shared memory rows, objective Σ T_total. The sequential plans
   * fit together by construction, so they warm-start the joint solve, which can then only improve
   * on them.
   */
  private List<Plan> planJointly(List<PlanningProblem> problems) {
    List<Plan> sequential = planInOrder(problems);
    LinearModel model = new LinearModel();
    List<PlacementIlp> ilps = new ArrayList<>();
    Duration limit = Duration.ZERO;
    int active = 0;
    for (int j = 0; j < problems.size(); j++) {
      PlanningProblem problem = problems.get(j);
      requireSameNodes(problems.get(0), problem);
      PlacementIlp ilp = PlacementIlp.addModel(model, new CostModel(problem), "m" + j + ".");
      ilps.add(ilp);
      active += ilp.activeObjectiveTerms();
      if (problem.options().timeLimit().compareTo(limit) > 0) limit = problem.options().timeLimit();
    }
    PlacementIlp.addMemory(model, ilps);
    model.setMaxActiveObjectiveTerms(active);
    Map<Integer, Integer> hint = new HashMap<>();
    for (int j = 0; j < ilps.size(); j++) {
      Assignment a = previousAssignment(ilps.get(j).costs(), sequential.get(j));
      if (a != null) hint.putAll(ilps.get(j).hint(a));
    }
    SolveResult result = backend.solve(new SolveRequest(model, Set.of(), limit, hint));
    if (!result.hasSolution() && !result.provenInfeasible() && sequential.stream().allMatch(Plan::feasible)) {
      return sequential; // out of time before the warm start registered: it is still the best known
    }
    Plan.SolverReport report = report(result);
    List<Plan> plans = new ArrayList<>();
    for (PlacementIlp ilp : ilps) {
      if (result.hasSolution()) {
        plans.add(checkedPlan(ilp.costs(), ilp.decode(result.values()), report));
      } else {
        plans.add(infeasiblePlan(ilp.costs().problem().id(), report, jointFailure(ilp, result)));
      }
    }
    return List.copyOf(plans);
  }

  private Plan.Infeasibility jointFailure(PlacementIlp ilp, SolveResult result) {
    Plan alone = plan(ilp.costs().problem());
    if (!alone.feasible()) return alone.infeasibility();
    if (!result.provenInfeasible()) {
      return new Plan.Infeasibility(
          Plan.Infeasibility.Family.TIME_LIMIT,
          "no joint plan was found within the time limit; plan the models SEQUENTIAL instead",
          null);
    }
    return new Plan.Infeasibility(
        Plan.Infeasibility.Family.MEMORY,
        "this model fits alone but not together with the others: the nodes lack memory for all of them",
        null);
  }

  private static void requireSameNodes(PlanningProblem first, PlanningProblem other) {
    List<String> a = first.cluster().nodes().stream().map(ComputeNode::name).toList();
    List<String> b = other.cluster().nodes().stream().map(ComputeNode::name).toList();
    if (!a.equals(b)) {
      throw new IllegalArgumentException(
          other.id() + ": planned jointly with " + first.id() + " but on different nodes");
    }
  }
}
