package io.dilemma.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanStatusJsonTest {
  private static PlanStatus plan(double totalSeconds) {
    Map<String, Long> memory = new LinkedHashMap<>();
    memory.put("pi5-gateway", 1000L);
    memory.put("jetson-orin-nano", 2000L);
    return new PlanStatus(
        "abc",
        3L,
        2,
        List.of(
            new PlanStatus.ShardStatus(0, "pi5-gateway", 0, 0, List.of(4), 0.25, 1000, 300, 0.001),
            new PlanStatus.ShardStatus(1, "jetson-orin-nano", 1, 6, List.of(8, 8, 8, 8, 4, 4), null, 2000, 600, 0.004)),
        0.5,
        new PlanStatus.PredictedTime(totalSeconds, 1, 0, 0, 2, 0, 0),
        0.5,
        0.4,
        40.0,
        memory,
        new PlanStatus.SolverStatus("CP-SAT", "OPTIMAL", 0, 0.1));
  }

  @Test
  void shardsAreStoredAsOneLineSummariesAndNodesAsValues() {
    JsonNode json = Serialization.jsonMapper().valueToTree(plan(5.220269713066667));
    JsonNode last = json.get("shards").get(1);
    assertThat(last.get("layers").asText()).isEqualTo("1-6");
    assertThat(last.get("bits").asText()).isEqualTo("8×4,4×2");
    assertThat(json.get("shards").get(0).get("layers").asText()).isEqualTo("0");
    assertThat(json.get("shards").get(0).get("bits").asText()).isEqualTo("4");
    assertThat(last.has("firstLayer")).isFalse();
    assertThat(json.has("memoryByNode")).isFalse();
    assertThat(json.get("memory").toString())
        .isEqualTo("[{\"node\":\"pi5-gateway\",\"bytes\":1000},{\"node\":\"jetson-orin-nano\",\"bytes\":2000}]");
  }

  @Test
  void predictedSecondsHasThreeSignificantDigits() {
    assertThat(Serialization.jsonMapper().valueToTree(plan(5.220269713066667)).get("predictedSeconds").asText()).isEqualTo("5.22");
    assertThat(PlanStatus.threeDigits(31.14)).isEqualTo("31.1");
    assertThat(PlanStatus.threeDigits(0.0012345)).isEqualTo("0.00123");
    assertThat(PlanStatus.threeDigits(1234.5)).isEqualTo("1230");
    assertThat(PlanStatus.threeDigits(5.2)).isEqualTo("5.20");
  }

  @Test
  void readsBackToTheSamePlan() {
    PlanStatus original = plan(3.63);
    String json = Serialization.asJson(original);
    PlanStatus read = Serialization.unmarshal(json, PlanStatus.class);
    assertThat(read).isEqualTo(original);
    assertThat(read.shards().get(1).bits()).containsExactly(8, 8, 8, 8, 4, 4);
    assertThat(read.memoryByNode()).containsEntry("jetson-orin-nano", 2000L);
  }

  @Test
  void aShardStoredBeforeTheSummariesStillReads() {
    String old =
        "{\"planId\":\"p\",\"shards\":[{\"index\":0,\"node\":\"a\",\"firstLayer\":2,\"lastLayer\":4,\"bits\":[8,4,4],\"memoryBytes\":1,\"decodeSecondsPerToken\":0.1}]}";
    PlanStatus read = Serialization.unmarshal(old, PlanStatus.class);
    assertThat(read.shards().get(0).firstLayer()).isEqualTo(2);
    assertThat(read.shards().get(0).lastLayer()).isEqualTo(4);
    assertThat(read.shards().get(0).bits()).containsExactly(8, 4, 4);
  }
}
