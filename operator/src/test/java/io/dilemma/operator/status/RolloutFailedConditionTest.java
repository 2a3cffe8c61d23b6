package io.dilemma.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.operator.Fixtures;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanningOutcome;
import io.dilemma.operator.plan.ReplanReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutFailedConditionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void aRefusedRolloutIsReadyFalseWithTheApiServersMessage() {
    var status =
        StatusAggregator.aggregate(
            new StatusAggregator.Inputs(
                new LLMDeploymentStatus(null, null, null, null, null, null),
                1,
                new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null),
                null,
                Map.of("p1", new ShardSet(2, 0)),
                null,
                List.of(),
                T0,
                "Deployment.apps \"x\" is invalid: spec.template...: Invalid value",
                null));
    var ready = status.condition("Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(ConditionReason.RolloutFailed.name());
    assertThat(ready.getMessage())
        .isEqualTo("Rolling out plan p1 failed: Deployment.apps \"x\" is invalid: spec.template...: Invalid value");
    assertThat(status.condition("Planned").orElseThrow().getStatus()).isEqualTo("True");
  }
}
