package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardPlansTest {

  @Test
  void tokenAdaptiveCutsCarryTheirRhoAtEightAndFourBits() {
    List<ShardPlan> shards = ShardPlans.of("chat", "llm", Fixtures.spec("a", 0.5), Fixtures.plan("p1", 3));
    ShardPlan.CutQuantization cut = shards.get(0).outgoingCut();
    assertThat(cut.highBits()).isEqualTo(8);
    assertThat(cut.lowBits()).isEqualTo(4);
    assertThat(shards.get(2).outgoingCut()).as("the last shard has no outgoing cut").isNull();
  }

  @Test
  void fullPrecisionCutsSendEveryTokenAtSixteenBits() {
    LLMDeploymentSpec s = Fixtures.spec("a", 0.5);
    LLMDeploymentSpec full = new LLMDeploymentSpec(
        s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        LLMDeploymentSpec.CutPrecision.FULL, s.placement(), s.replanPolicy(), s.solver(), s.worker(), null);
    for (ShardPlan shard : ShardPlans.of("chat", "llm", full, Fixtures.plan("p1", 3)).subList(0, 2)) {
      assertThat(shard.outgoingCut().highBits()).isEqualTo(16);
      assertThat(shard.outgoingCut().lowBits()).isEqualTo(16);
    }
  }

  static final LLMDeploymentSpec.ChatTemplateSpec QUESTION_ANSWER =
      new LLMDeploymentSpec.ChatTemplateSpec("{content}\n", "Q: {content}\n", "A: {content}\n", "A:", List.of("\nQ:"));

  static LLMDeploymentSpec withChatTemplate(LLMDeploymentSpec.ChatTemplateSpec template) {
    LLMDeploymentSpec s = Fixtures.spec("a", 0.5);
    return new LLMDeploymentSpec(
        s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(), s.cutPrecision(), s.placement(),
        s.replanPolicy(), s.solver(), s.worker(), new LLMDeploymentSpec.ServingSpec(template), null);
  }

  @Test
  void onlyTheHeadsPlanCarriesTheSpecsChatTemplate() {
    List<ShardPlan> shards = ShardPlans.of("chat", "llm", withChatTemplate(QUESTION_ANSWER), Fixtures.plan("p1", 3));
    assertThat(shards.get(0).chatTemplate())
        .isEqualTo(new ShardPlan.ChatTemplate("{content}\n", "Q: {content}\n", "A: {content}\n", "A:", List.of("\nQ:")));
    assertThat(shards.subList(1, 3)).allMatch(shard -> shard.chatTemplate() == null);
  }

  @Test
  void withoutATemplateTheHeadKeepsTheWorkersDefault() {
    assertThat(ShardPlans.of("chat", "llm", Fixtures.spec("a", 0.5), Fixtures.plan("p1", 3)))
        .allMatch(shard -> shard.chatTemplate() == null);
  }

  /** The running plan is rolled out while a spec is refused; the head must still start. */
  @Test
  void aTemplateTheHeadWouldRefuseIsNeverWrittenIntoItsPlan() {
    var noPlaceholder = new LLMDeploymentSpec.ChatTemplateSpec("{content}", "Q:", "A: {content}", "A:", null);
    assertThat(ShardPlans.of("chat", "llm", withChatTemplate(noPlaceholder), Fixtures.plan("p1", 3)).get(0).chatTemplate())
        .isNull();
  }
}
