package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BruteForceAgreementTest {
  private static final int INSTANCES = 240;

  @Test
  void theProductionPlannerMatchesExhaustiveSearchOnSmallInstances() {
    agreesWithExhaustiveSearch(new CpSatPlanner(1));
  }

  /** CP-SAT is still the fallback wherever the chain search gives up, so it must agree on its own. */
  @Test
  void cpSatAloneMatchesExhaustiveSearchOnSmallInstances() {
    agreesWithExhaustiveSearch(new IlpPlanner(new io.dilemma.planner.ilp.CpSatBackend(1), false));
  }

  private static void agreesWithExhaustiveSearch(Planner planner) {
    Random random = new Random(20261123);
    int infeasible = 0;
    for (int t = 0; t < INSTANCES; t++) {
      PlanningProblem problem = RandomInstances.draw(random, "random-" + t);
      CostModel costs = new CostModel(problem);
      Assignment optimum = BruteForcePlanner.solve(costs);
      Plan plan = planner.plan(problem);

      assertThat(plan.feasible()).as("feasibility of %s", problem.id()).isEqualTo(optimum != null);
      if (optimum == null) {
        infeasible++;
        assertThat(plan.infeasibility().explanation()).isNotBlank();
        continue;
      }
      assertThat(plan.solver().status()).isEqualTo(io.dilemma.planner.ilp.SolverStatus.OPTIMAL);
      double exact = PlanEvaluator.evaluate(costs, optimum).time().totalSeconds();
      double tolerance = 2 * plan.solver().roundingBoundSeconds() + 1e-12;
      assertThat(plan.predicted().totalSeconds())
          .as("T_total of %s", problem.id())
          .isCloseTo(exact, org.assertj.core.data.Offset.offset(tolerance));
    }
    assertThat(infeasible).as("infeasible instances among %d", INSTANCES).isBetween(20, INSTANCES - 100);
  }
}
