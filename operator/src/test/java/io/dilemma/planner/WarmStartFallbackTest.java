package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.ilp.IlpBackend;
import io.dilemma.planner.ilp.SolveRequest;
import io.dilemma.planner.ilp.SolveResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the solver ends without any solution and without proof, the warm start is the answer. */
class WarmStartFallbackTest {
  /** A solver that always runs out of time before finding anything. */
  private static final class OutOfTime implements IlpBackend {
    int solves;

    @Override
    public String name() {
      return "out-of-time";
    }

    @Override
    public SolveResult solve(SolveRequest request) {
      solves++;
      return new SolveResult(name(), io.dilemma.planner.ilp.SolverStatus.UNKNOWN, null, Double.NaN, Double.NaN, 10, 0);
    }
  }

  private static PlanningProblem splitProblem() {
    return TinyProblems.builder()
        .node("origin", 1e8, 1L << 30)
        .node("fast", 1e11, 1L << 30)
        .link("origin", "fast", 1e9, 1e-3)
        .layers(4)
        .build();
  }

  @Test
  void theChainDpPlanIsReturnedAsFeasible() {
    PlanningProblem p = splitProblem();
    Plan plan = new IlpPlanner(new OutOfTime()).plan(p);
    assertThat(plan.feasible()).isTrue();
    assertThat(plan.solver().solver()).isEqualTo("out-of-time (warm start)");
    assertThat(plan.solver().status()).isEqualTo(io.dilemma.planner.ilp.SolverStatus.FEASIBLE);
    assertThat(plan.predicted().totalSeconds()).isEqualTo(plan.solver().objectiveSeconds());
    Evaluation e = PlanEvaluator.evaluate(new CostModel(p), RecordedPlan.read(new CostModel(p), plan).fitting().orElseThrow());
    assertThat(e.feasible()).isTrue();
  }

  @Test
  void jointPlanningFallsBackToTheSequentialPlans() {
    OutOfTime backend = new OutOfTime();
    List<Plan> plans = new IlpPlanner(backend).planAll(List.of(splitProblem(), splitProblem()), Planner.MultiModelMode.JOINT);
    assertThat(plans).allMatch(Plan::feasible);
    assertThat(plans).allMatch(p -> p.solver().solver().endsWith("(warm start)"));
    assertThat(backend.solves).as("two sequential solves and the joint one").isEqualTo(3);
  }

  @Test
  void withoutAWarmStartTheTimeLimitIsReported() {
    PlanningProblem nothingFits = TinyProblems.builder().node("origin", 1e8, 10).build();
    Plan plan = new IlpPlanner(new OutOfTime()).plan(nothingFits);
    assertThat(plan.feasible()).isFalse();
    assertThat(plan.infeasibility().family()).isEqualTo(Plan.Infeasibility.Family.TIME_LIMIT);
  }
}
