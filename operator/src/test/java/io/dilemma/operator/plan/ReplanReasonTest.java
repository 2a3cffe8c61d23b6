package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentStatus;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReplanReasonTest {
  /** The CRD lists these values for kubectl explain; a reason the schema does not know would be hidden. */
  @Test
  void everyReasonTheOperatorWritesIsOneTheCrdDocuments() {
    assertThat(Arrays.stream(ReplanReason.values()).map(Enum::name).toList())
        .containsExactlyElementsOf(LLMDeploymentStatus.REPLAN_REASONS);
  }

  @Test
  void everyEvaluationDecisionIsOneTheCrdDocuments() {
    assertThat(Arrays.stream(EvaluationDecision.values()).map(Enum::name).toList())
        .containsExactlyElementsOf(io.dilemma.api.PlanEvaluationStatus.DECISIONS);
  }
}
