package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordedPlanTest {
  private static final PlanningProblem SPLIT =
      TinyProblems.builder()
          .node("origin", 1e8, 1L << 30)
          .node("fast", 1e11, 1L << 30)
          .link("origin", "fast", 1e9, 1e-3)
          .layers(4)
          .budget(10)
          .keepTokensOnOrigin(false)
          .build();

  /** Layer 0 off the origin, and the embedding cut at the second ρ option, not the first. */
  private static Assignment offOrigin(CostModel costs) {
    int fast = SPLIT.cluster().indexOf("fast");
    int origin = costs.origin();
    return new Assignment(
        new int[] {fast, fast, origin, origin}, new int[] {0, 0, 0, 0}, new int[] {1, -1, 0, -1});
  }

  @Test
  void aPlanReadsBackAsTheAssignmentItCameFromEmbeddingCutIncluded() {
    CostModel costs = new CostModel(SPLIT);
    Assignment a = offOrigin(costs);
    assertThat(PlanEvaluator.evaluate(costs, a).violations()).isEmpty();
    Plan plan = PlanEvaluator.toPlan(costs, a, null);
    assertThat(plan.embeddingRho()).isEqualTo(costs.rho(1));

    RecordedPlan read = RecordedPlan.read(costs, plan);
    assertThat(read.mismatches()).isEmpty();
    assertThat(read.assignment()).isEqualTo(a);
  }

  @Test
  void aPlanWithLayerZeroOnTheOriginHasNoEmbeddingCut() {
    CostModel costs = new CostModel(SPLIT);
    int fast = SPLIT.cluster().indexOf("fast");
    int origin = costs.origin();
    Assignment a =
        new Assignment(new int[] {origin, origin, fast, fast}, new int[] {0, 0, 0, 0}, new int[] {-1, -1, 1, -1});
    Plan plan = PlanEvaluator.toPlan(costs, a, null);
    assertThat(plan.embeddingRho()).isNull();
    assertThat(RecordedPlan.read(costs, plan).assignment()).isEqualTo(a);
  }

  @Test
  void aPlanThatDoesNotRecordTheEmbeddingCutIsNotGuessed() {
    CostModel costs = new CostModel(SPLIT);
    Plan plan = PlanEvaluator.toPlan(costs, offOrigin(costs), null);
    Plan unrecorded =
        new Plan(plan.problemId(), plan.layers(), plan.shards(), null, plan.predicted(), plan.qualityUsed(),
            plan.memoryByNode(), plan.quantizationRatio(), plan.solver(), null);
    RecordedPlan read = RecordedPlan.read(costs, unrecorded);
    assertThat(read.assignment()).isNull();
    assertThat(read.mismatches()).singleElement().asString().contains("embedding cut");
  }

  @Test
  void layersTheModelNoLongerHasOrBitsNoLongerAllowedAreNamed() {
    CostModel costs = new CostModel(SPLIT);
    Plan plan = PlanEvaluator.toPlan(costs, offOrigin(costs), null);
    PlanningProblem fewer =
        TinyProblems.builder()
            .node("origin", 1e8, 1L << 30)
            .node("fast", 1e11, 1L << 30)
            .link("origin", "fast", 1e9, 1e-3)
            .layers(3)
            .bits(8, 16)
            .build();
    RecordedPlan read = RecordedPlan.read(new CostModel(fewer), plan);
    assertThat(read.assignment()).isNull();
    assertThat(read.mismatches()).anyMatch(m -> m.contains("layer 3 but the model has 3"));
    assertThat(read.mismatches()).anyMatch(m -> m.contains("bits " + costs.bits(0) + " no longer allowed"));
  }
}
