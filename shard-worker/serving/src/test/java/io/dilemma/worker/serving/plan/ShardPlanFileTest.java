package io.dilemma.worker.serving.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardPlanFileTest {
  @TempDir Path dir;

  static ShardPlan head(int firstLayer, int lastLayer, List<Integer> bits, boolean keepTokens, CutQuantization cut) {
    return new ShardPlan(
        1, "d", null, "p", 0, 2, "n", new ModelSource("m", "file:///models/m", null, null),
        firstLayer, lastLayer, bits, true, false, "10.0.0.2:50051", null, cut, keepTokens, null);
  }

  @Test
  void readsAValidPlan() throws Exception {
    Path file = dir.resolve("shard.json");
    ShardPlan plan = head(0, 1, List.of(8, 4), true, new CutQuantization(0.25, 8, 4));
    Files.writeString(file, ContractJson.write(plan));
    assertThat(ShardPlanFile.read(file)).isEqualTo(plan);
  }

  @Test
  void namesTheFileAndTheProblem() throws Exception {
    Path file = dir.resolve("shard.json");
    Files.writeString(file, "{\"schemaVersion\": 1, ");
    assertThatThrownBy(() -> ShardPlanFile.read(file))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith(file + ": not a valid shard plan:");
    assertThatThrownBy(() -> ShardPlanFile.read(dir.resolve("missing.json")))
        .hasMessage(dir.resolve("missing.json") + ": no such shard plan file");
  }

  @Test
  void refusesPlansThatWouldLeakOrCannotRun() {
    assertThat(ShardPlanFile.problem(head(-1, -1, List.of(), true, CutQuantization.none())))
        .contains("keepTokensOnOrigin needs the head to run at least one layer");
    assertThat(ShardPlanFile.problem(head(-1, -1, List.of(), false, CutQuantization.none()))).isNull();
    assertThat(ShardPlanFile.problem(head(0, 1, List.of(8), true, CutQuantization.none())))
        .isEqualTo("layerBits has 1 entries for 2 layers");
    assertThat(ShardPlanFile.problem(head(0, 0, List.of(8), true, new CutQuantization(0.5, 8, 2))))
        .isEqualTo("outgoingCut: bits 8/2 must be 8 or 4 each, or 16/16 for none");
    assertThat(ShardPlanFile.problem(head(0, 0, List.of(8), true, new CutQuantization(1.5, 8, 4))))
        .isEqualTo("outgoingCut: rho 1.5 is outside [0, 1]");
  }

  private static ShardPlan withTemplate(ShardPlan plan, ShardPlan.ChatTemplate template) {
    return new ShardPlan(
        plan.schemaVersion(), plan.deployment(), plan.namespace(), plan.planId(), plan.shardIndex(), plan.shardCount(),
        plan.node(), plan.model(), plan.firstLayer(), plan.lastLayer(), plan.layerBits(), plan.head(), plan.lmHead(),
        plan.nextShard(), plan.headAddress(), plan.outgoingCut(), plan.keepTokensOnOrigin(), plan.limits(), template);
  }

  @Test
  void theHeadsChatTemplateIsReadAndItsRulesChecked() throws Exception {
    ShardPlan head = head(0, 0, List.of(8), true, CutQuantization.none());
    var template = new ShardPlan.ChatTemplate("{content}", "Q: {content}", "A: {content}", "A:", List.of("\nQ:"));
    Path file = dir.resolve("shard.json");
    Files.writeString(file, ContractJson.write(withTemplate(head, template)));
    assertThat(ShardPlanFile.read(file).chatTemplate()).isEqualTo(template);

    var noContent = new ShardPlan.ChatTemplate("{content}", "Q:", "A: {content}", "A:", null);
    Files.writeString(file, ContractJson.write(withTemplate(head, noContent)));
    assertThatThrownBy(() -> ShardPlanFile.read(file))
        .isInstanceOf(PlanException.class)
        .hasMessage(file + ": chatTemplate.user: must contain {content}, got \"Q:\"");
  }

  @Test
  void aRelayIsGivenNoChatTemplate() {
    ShardPlan relay = new ShardPlan(
        1, "d", null, "p", 1, 2, "n", new ModelSource("m", "file:///models/m", null, null),
        1, 1, List.of(8), false, true, null, null, null, true, null,
        new ShardPlan.ChatTemplate("{content}", "{content}", "{content}", "", null));
    assertThat(ShardPlanFile.problem(relay)).isEqualTo("chatTemplate is read by the head only (shardIndex 0)");
  }
}
