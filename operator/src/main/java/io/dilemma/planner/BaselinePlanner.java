package io.dilemma.planner;

import io.dilemma.planner.ilp.CpSatBackend;
import io.dilemma.planner.ilp.IlpBackend;
import io.dilemma.planner.ilp.SolverStatus;
import java.util.List;

/**
 * Plans by one of the baseline rules instead of the joint ILP, so a baseline can be deployed and
 * measured like any plan. Its numbers come from the same evaluator as the ILP's; a rule that
 * breaks a constraint (memory, say) yields no plan, with the broken constraint as the reason.
 */
public final class BaselinePlanner {
  private final Baselines baselines;

  public BaselinePlanner() {
    this(new CpSatBackend(CpSatPlanner.DEFAULT_WORKERS));
  }

  public BaselinePlanner(IlpBackend backend) {
    this.baselines = new Baselines(backend);
  }

  public Plan plan(PlanningProblem problem, PlanStrategy strategy) {
    long start = System.nanoTime();
    CostModel costs = new CostModel(problem);
    Baselines.Result result =
        switch (strategy) {
          case ALL_ON_ORIGIN_16_BITS -> baselines.allOnOrigin16Bits(costs);
          case UNIFORM_8_BITS -> baselines.uniform8BitsOptimalPlacement(costs);
          // exo splits by memory alone: it knows nothing of keeping tokens on the origin either
          case MEMORY_PROPORTIONAL -> waivingPrivacy(baselines.memoryProportional(costs));
          case BEST_SINGLE_NODE -> baselines.bestSingleNode(costs);
          case JOINT_ILP -> throw new IllegalArgumentException("the joint ILP is the Planner's, not a baseline");
        };
    double wall = (System.nanoTime() - start) / 1e9;
    if (!result.feasible()) {
      Plan.SolverReport report = new Plan.SolverReport(result.name(), SolverStatus.INFEASIBLE, 0, 0, 0, wall, 0);
      String why = result.note().isEmpty() ? "no assignment" : result.note();
      return IlpPlanner.infeasiblePlan(
          problem.id(),
          report,
          new Plan.Infeasibility(familyOf(result), "baseline '" + result.name() + "': " + why, null));
    }
    double seconds = result.evaluation().time().totalSeconds();
    // A rule is not a search: its plan is exactly what the rule says, so it reports no gap.
    Plan.SolverReport report = new Plan.SolverReport(result.name(), SolverStatus.FEASIBLE, seconds, seconds, 0, wall, 0);
    return PlanEvaluator.toPlan(costs, result.assignment(), report);
  }

  private static Baselines.Result waivingPrivacy(Baselines.Result r) {
    if (r.evaluation() == null) return r;
    Evaluation e = r.evaluation().ignoring(Evaluation.Violation.Kind.PRIVACY);
    return new Baselines.Result(r.name(), e, String.join("; ", e.violations()), r.assignment());
  }

  private static Plan.Infeasibility.Family familyOf(Baselines.Result result) {
    if (result.evaluation() == null) {
      return result.note().contains("time limit") ? Plan.Infeasibility.Family.TIME_LIMIT : Plan.Infeasibility.Family.MEMORY;
    }
    List<Evaluation.Violation> broken = result.evaluation().broken();
    return switch (broken.get(0).kind()) {
      case MEMORY -> Plan.Infeasibility.Family.MEMORY;
      case QUALITY -> Plan.Infeasibility.Family.QUALITY;
      case PRIVACY -> Plan.Infeasibility.Family.PRIVACY;
      default -> Plan.Infeasibility.Family.CONNECTIVITY;
    };
  }
}
