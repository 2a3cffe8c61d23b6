package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanningOutcomeTest {
  @Test
  void aSpecOrImageRefusalRefusesTheSpec() {
    assertThat(new PlanningOutcome.Unplannable(PlanningOutcome.Cause.InvalidSpec, "spec.worker.resources: bad").refusesTheSpec()).isTrue();
    assertThat(new PlanningOutcome.Unplannable(PlanningOutcome.Cause.ImageNotAllowed, "spec.worker.image: not allowed").refusesTheSpec()).isTrue();
  }

  /** The spec is fine there; what is missing is elsewhere, so the running plan is written from it as before. */
  @Test
  void aMissingProfileNoNodesOrNoPlanDoNot() {
    assertThat(new PlanningOutcome.Unplannable(PlanningOutcome.Cause.ProfileUnavailable, "no profile").refusesTheSpec()).isFalse();
    assertThat(new PlanningOutcome.Unplannable(PlanningOutcome.Cause.NoEligibleNodes, "no nodes").refusesTheSpec()).isFalse();
    assertThat(new PlanningOutcome.Infeasible("memory", null).refusesTheSpec()).isFalse();
    assertThat(new PlanningOutcome.Planned(null, null, null, null).refusesTheSpec()).isFalse();
  }
}
