package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.planner.ilp.CpSatBackend;
import org.junit.jupiter.api.Test;

class BaselinePlannerTest {
  private final BaselinePlanner planner = new BaselinePlanner(new CpSatBackend(1));

  private static PlanningProblem twoNodes(long originMemory) {
    return TinyProblems.builder()
        .node("origin", 1e9, originMemory)
        .node("twice", 1e9, 2L << 30)
        .link("origin", "twice", 1e9, 0)
        .layers(6)
        .build();
  }

  @Test
  void aBaselinePlanIsPricedByTheEvaluatorLikeAnyPlan() {
    PlanningProblem p = twoNodes(1L << 30);
    Plan plan = planner.plan(p, PlanStrategy.MEMORY_PROPORTIONAL);
    assertThat(plan.feasible()).isTrue();
    assertThat(plan.solver().solver()).contains("exo");
    Assignment recorded = RecordedPlan.read(new CostModel(p), plan).assignment();
    assertThat(plan.predicted().totalSeconds())
        .isEqualTo(PlanEvaluator.evaluate(new CostModel(p), recorded).time().totalSeconds());
    // exo's split puts twice as many layers on the node with twice the memory
    assertThat(plan.layers().stream().filter(l -> l.node().equals("twice")).count()).isEqualTo(4);
  }

  @Test
  void uniformEightBitsKeepsEveryLayerAtEightBits() {
    Plan plan = planner.plan(twoNodes(1L << 30), PlanStrategy.UNIFORM_8_BITS);
    assertThat(plan.feasible()).isTrue();
    assertThat(plan.layers()).allSatisfy(l -> assertThat(l.bits()).isEqualTo(8));
  }

  @Test
  void allOnOriginPutsEveryLayerOnTheOriginAtSixteenBits() {
    Plan plan = planner.plan(twoNodes(1L << 30), PlanStrategy.ALL_ON_ORIGIN_16_BITS);
    assertThat(plan.layers()).allSatisfy(l -> {
      assertThat(l.node()).isEqualTo("origin");
      assertThat(l.bits()).isEqualTo(16);
    });
  }

  @Test
  void aRuleThatBreaksMemoryYieldsNoPlanAndSaysWhich() {
    Plan plan = planner.plan(twoNodes(100_000), PlanStrategy.ALL_ON_ORIGIN_16_BITS);
    assertThat(plan.feasible()).isFalse();
    assertThat(plan.infeasibility().family()).isEqualTo(Plan.Infeasibility.Family.MEMORY);
    assertThat(plan.infeasibility().explanation()).startsWith("baseline 'all on origin, 16 bits': ").contains("origin needs");
  }

  @Test
  void theJointIlpIsNotABaseline() {
    assertThatThrownBy(() -> planner.plan(twoNodes(1L << 30), PlanStrategy.JOINT_ILP))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exosSplitIgnoresTheOriginRuleAsExoDoes() {
    // the origin's memory is a sliver of the other's: by memory alone it gets no layer at all
    PlanningProblem p = TinyProblems.builder()
        .node("origin", 1e9, 1L << 24)
        .node("big", 1e9, 8L << 30)
        .link("origin", "big", 1e9, 0)
        .link("big", "origin", 1e9, 0)
        .layers(6)
        .build();
    Plan plan = planner.plan(p, PlanStrategy.MEMORY_PROPORTIONAL);
    assertThat(plan.feasible()).as("%s", plan.infeasibility()).isTrue();
    assertThat(plan.layers()).allSatisfy(l -> assertThat(l.node()).isEqualTo("big"));
  }
}
