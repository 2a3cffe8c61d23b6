package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.ilp.SolverStatus;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * With a good-enough T_total, the chain search and CP-SAT each stop at the first plan that surely
 * clears it (the evaluator agrees), instead of searching on to prove the best; without one they
 * prove the optimum.
 */
class GoodEnoughStopTest {
  @Test
  void thePlannerStopsAtTheFirstPlanAtOrBelowTheTarget() {
    stopsAtTheFirstPlanAtOrBelowTheTarget(new CpSatPlanner(1));
  }

  @Test
  void cpSatAloneStopsAtTheFirstPlanAtOrBelowTheTarget() {
    stopsAtTheFirstPlanAtOrBelowTheTarget(new IlpPlanner(new io.dilemma.planner.ilp.CpSatBackend(1), false));
  }

  private static void stopsAtTheFirstPlanAtOrBelowTheTarget(Planner planner) {
    Random random = new Random(11);
    int stoppedShort = 0;
    int tried = 0;
    while (tried < 40) {
      PlanningProblem problem = RandomInstances.draw(random, "stop-" + tried);
      Plan best = planner.plan(problem);
      if (!best.feasible()) continue;
      tried++;
      // Anything within 50 % of the optimum will do.
      double target = best.predicted().totalSeconds() * 1.5;
      PlanningProblem relaxed =
          new PlanningProblem(problem.id(), problem.model(), problem.cluster(), problem.workload(),
              problem.qualityBudget(), problem.options().withGoodEnough(target));
      Plan enough = planner.plan(relaxed);
      assertThat(enough.feasible()).isTrue();
      assertThat(enough.predicted().totalSeconds()).as("%s", problem.id()).isLessThanOrEqualTo(target);
      if (enough.solver().status() == SolverStatus.FEASIBLE) stoppedShort++;
    }
    assertThat(stoppedShort).as("solves that stopped before proving the optimum").isPositive();
  }
}
