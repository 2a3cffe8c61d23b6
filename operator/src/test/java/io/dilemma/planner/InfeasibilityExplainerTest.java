package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.Plan.Infeasibility.Family;
import java.util.List;
import org.junit.jupiter.api.Test;

class InfeasibilityExplainerTest {
  private final CpSatPlanner planner = new CpSatPlanner(1);
  private static final long LAYER_AT_16_BITS = 2 * TinyProblems.PARAMS + 1000L * 24;

  @Test
  void budgetBelowTheReachableLossIsBlamedOnQualityWithTheSmallestBudget() {
    // the origin holds one 16-bit layer, so the other two must be quantized or cross a lossy cut
    TinyProblems tight =
        TinyProblems.builder()
            .node("origin", 1e9, LAYER_AT_16_BITS + 2 * TinyProblems.PARAMS + 1000L * 48 + 2000)
            .layers(3)
            .bits(4, 8, 16)
            .budget(0.01);
    Plan plan = planner.plan(tight.build());
    assertThat(plan.feasible()).isFalse();
    assertThat(plan.infeasibility().family()).isEqualTo(Family.QUALITY);
    double minimal = plan.infeasibility().minimalFeasibleBudget();
    assertThat(minimal).isEqualTo(2.0 / 8); // two layers at 8 bits fill the rest of the memory

    assertThat(planner.plan(tight.budget(minimal).build()).feasible()).isTrue();
    assertThat(planner.plan(tight.budget(minimal * 0.999).build()).feasible()).isFalse();
  }

  @Test
  void originTooSmallForLayerZeroIsBlamedOnPrivacy() {
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e9, 5000)
            .node("big", 1e9, 1L << 30)
            .link("origin", "big", 1e9, 0)
            .keepTokensOnOrigin(true)
            .build();
    Plan plan = planner.plan(p);
    assertThat(plan.infeasibility().family()).isEqualTo(Family.PRIVACY);
    assertThat(plan.infeasibility().minimalFeasibleBudget()).isNull();
  }

  @Test
  void roomOnAnUnlinkedNodeIsBlamedOnConnectivity() {
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e9, LAYER_AT_16_BITS + 5000)
            .node("island", 1e9, 1L << 30)
            .keepTokensOnOrigin(true)
            .bits(16)
            .build();
    assertThat(planner.plan(p).infeasibility().family()).isEqualTo(Family.CONNECTIVITY);
  }

  @Test
  void aModelLargerThanAllNodesIsBlamedOnMemory() {
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e9, 100_000)
            .node("other", 1e9, 100_000)
            .link("origin", "other", 1e9, 0)
            .budget(100)
            .build();
    Plan plan = planner.plan(p);
    assertThat(plan.infeasibility().family()).isEqualTo(Family.MEMORY);
    assertThat(plan.infeasibility().explanation()).contains("in total");
    assertThat(plan.layers()).isEmpty();
    assertThat(plan.solver().status()).isEqualTo(io.dilemma.planner.ilp.SolverStatus.INFEASIBLE);
  }

  @Test
  void everyInfeasiblePlanSaysWhy() {
    for (PlanningProblem p :
        List.of(
            TinyProblems.builder().node("origin", 1e9, 10).build(),
            TinyProblems.builder().node("origin", 1e9, 1L << 30).budget(-1).build())) {
      Plan plan = planner.plan(p);
      assertThat(plan.feasible()).isFalse();
      assertThat(plan.infeasibility().explanation()).isNotBlank();
    }
  }
}
