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
}
