package io.dilemma.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRequestCounterTest {
  @Test
  void namesTheVerbAndTheResourceOfARequest() {
    assertThat(ApiRequestCounter.describe("PATCH", "/apis/apps/v1/namespaces/fleet/deployments/llm-01-abc-0", "fieldManager=x",
        "application/apply-patch+yaml")).isEqualTo("apply deployments");
    assertThat(ApiRequestCounter.describe("PATCH", "/apis/dilemma.io/v1/namespaces/fleet/llmdeployments/llm-01/status", null,
        "application/merge-patch+json")).isEqualTo("patch llmdeployments/status");
    assertThat(ApiRequestCounter.describe("GET", "/api/v1/namespaces/fleet/secrets/llm-01-tls", null, null)).isEqualTo("get secrets");
    assertThat(ApiRequestCounter.describe("GET", "/api/v1/namespaces/fleet/services", "labelSelector=a%3Db", null))
        .isEqualTo("list services");
    assertThat(ApiRequestCounter.describe("GET", "/api/v1/nodes", "watch=true&resourceVersion=1", null)).isEqualTo("watch nodes");
    assertThat(ApiRequestCounter.describe("GET", "/api/v1/nodes/fleet-01", null, null)).isEqualTo("get nodes");
    assertThat(ApiRequestCounter.describe("POST", "/api/v1/namespaces/fleet/events", null, "application/json")).isEqualTo("create events");
  }

  @Test
  void reportsWhatWasSentBetweenTwoSnapshotsMostFrequentFirst() {
    Map<String, Long> before = Map.of("get secrets", 2L, "apply deployments", 1L);
    Map<String, Long> after = Map.of("get secrets", 3L, "apply deployments", 4L, "create events", 1L);
    assertThat(ApiRequestCounter.difference(before, after)).isEqualTo("3 apply deployments, 1 create events, 1 get secrets");
    assertThat(ApiRequestCounter.total(before, after)).isEqualTo(5);
  }
}
