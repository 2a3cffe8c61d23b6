package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.bench.InstanceFamily;
import io.dilemma.planner.ilp.CpSatBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Baselines} on the benchmark's paper-scale instance, which lives with the benchmark. */
class BaselinesOnPaperFamilyTest {
  private final Baselines baselines = new Baselines(new CpSatBackend(1));

  @Test
  void theIlpBeatsEveryFeasibleBaselineThatRespectsItsConstraints() {
    PlanningProblem p = InstanceFamily.PAPER.generate(1, Duration.ofSeconds(10));
    Plan ilp = new CpSatPlanner(1).plan(p);
    CostModel costs = new CostModel(p);
    double t = ilp.predicted().totalSeconds();
    for (Baselines.Result r :
        List.of(baselines.allOnOrigin16Bits(costs), baselines.uniform8BitsOptimalPlacement(costs), baselines.memoryProportional(costs))) {
      if (r.feasible()) assertThat(r.evaluation().time().totalSeconds()).as(r.name()).isGreaterThanOrEqualTo(t - 2 * ilp.solver().roundingBoundSeconds());
    }
    Baselines.Result uniform = baselines.uniform8BitsOptimalPlacement(costs);
    assertThat(uniform.feasible()).isTrue();
    assertThat(uniform.evaluation().quantizationRatio()).isEqualTo(0.5);
  }
}
