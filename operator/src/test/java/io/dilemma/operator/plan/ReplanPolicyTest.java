package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentSpec.ReplanPolicySpec;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplanPolicyTest {
  private static final ReplanPolicySpec POLICY = new ReplanPolicySpec(0.10, 60);
  private static final Instant LAST = Instant.parse("2026-01-01T00:00:00Z");

  private static ReplanPolicy.Trigger trigger(
      boolean running, boolean specChanged, List<String> violations, boolean inputsChanged, Instant now) {
    return ReplanPolicy.beforeSolve(running, specChanged, violations, inputsChanged, LAST, now, POLICY);
  }

  @Test
  void firstPlanIsAlwaysMade() {
    assertThat(trigger(false, false, List.of(), false, LAST))
        .isEqualTo(new ReplanPolicy.Trigger.Replan(ReplanReason.Initial));
  }

  @Test
  void specChangeReplansEvenInsideTheWindow() {
    assertThat(trigger(true, true, List.of(), true, LAST.plusSeconds(1)))
        .isEqualTo(new ReplanPolicy.Trigger.Replan(ReplanReason.SpecChanged));
  }

  @Test
  void infeasiblePlanReplansEvenInsideTheWindow() {
    assertThat(trigger(true, false, List.of("node b is gone or not Ready"), true, LAST.plusSeconds(1)))
        .isEqualTo(new ReplanPolicy.Trigger.Replan(ReplanReason.PlanInfeasible));
  }

  @Test
  void unchangedInputsNeverSolveAgain() {
    assertThat(trigger(true, false, List.of(), false, LAST.plusSeconds(3600)))
        .isEqualTo(new ReplanPolicy.Trigger.Keep(Optional.empty()));
  }

  @Test
  void changedInputsInsideTheWindowWaitForItsEnd() {
    assertThat(trigger(true, false, List.of(), true, LAST.plusSeconds(59)))
        .isEqualTo(new ReplanPolicy.Trigger.Keep(Optional.of(LAST.plusSeconds(60))));
  }

  @Test
  void changedInputsAfterTheWindowLookForAnImprovement() {
    assertThat(trigger(true, false, List.of(), true, LAST.plusSeconds(60)))
        .isInstanceOf(ReplanPolicy.Trigger.LookForImprovement.class);
  }

  @Test
  void smallImprovementsDoNotMoveShards() {
    assertThat(ReplanPolicy.isWorthIt(10.0, 9.7, POLICY)).as("3% faster").isFalse();
    assertThat(ReplanPolicy.isWorthIt(10.0, 9.01, POLICY)).as("9.9% faster").isFalse();
    assertThat(ReplanPolicy.isWorthIt(10.0, 9.0, POLICY)).as("10% faster").isTrue();
    assertThat(ReplanPolicy.isWorthIt(10.0, 11.0, POLICY)).as("slower").isFalse();
  }

  @Test
  void aRunningPlanThatCannotBePricedIsAlwaysReplaced() {
    assertThat(ReplanPolicy.isWorthIt(Double.NaN, 100.0, POLICY)).isTrue();
  }

  /** The planner's stopping point is exactly what the policy accepts, never a hair above it. */
  @Test
  void theStoppingThresholdIsTheSlowestCandidateWorthIt() {
    double threshold = ReplanPolicy.worthItAtOrBelow(40.0, POLICY).orElseThrow();
    assertThat(threshold).isCloseTo(36.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(ReplanPolicy.isWorthIt(40.0, threshold, POLICY)).isTrue();
    assertThat(ReplanPolicy.isWorthIt(40.0, 36.0 + 1e-6, POLICY)).isFalse();
    assertThat(ReplanPolicy.worthItAtOrBelow(Double.NaN, POLICY)).as("a running plan that no longer fits").isEmpty();
  }
}
