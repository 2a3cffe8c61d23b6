package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dilemma.planner.ilp.MpSolverBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CBC, SCIP and HiGHS solve the very same model as CP-SAT and must reach the same optimum. */
class MipBackendAgreementTest {
  @Test
  void everyBackendFindsTheSameOptimum() {
    Random random = new Random(99);
    CpSatPlanner cpSat = new CpSatPlanner(1);
    int compared = 0;
    for (int t = 0; t < 25; t++) {
      PlanningProblem p = RandomInstances.draw(random, "mip-" + t);
      Plan reference = cpSat.plan(p);
      for (MpSolverBackend.Engine engine : MpSolverBackend.Engine.values()) {
        Plan plan = new IlpPlanner(new MpSolverBackend(engine)).plan(p);
        assertThat(plan.feasible()).as("%s on %s", engine, p.id()).isEqualTo(reference.feasible());
        if (!plan.feasible()) continue;
        double t0 = reference.predicted().totalSeconds();
        // MIP solvers stop at a relative gap of 1e-4 by default
        assertThat(plan.predicted().totalSeconds()).as("%s on %s", engine, p.id()).isCloseTo(t0, within(1e-4 * t0 + 2 * reference.solver().roundingBoundSeconds()));
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(20);
  }
}
