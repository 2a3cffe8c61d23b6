package io.dilemma.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class TolerantSpecDeserializerTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static String deployment(String allowedBits) {
    return """
        {"apiVersion": "dilemma.io/v1alpha1", "kind": "LLMDeployment",
         "metadata": {"name": "m", "namespace": "default"},
         "spec": {"model": {"name": "m", "profile": {"name": "p"}, "source": {"url": "https://x/m"}},
                  "workload": {"promptTokens": 8, "outputTokens": 4},
                  "quality": {"budget": 1.0},
                  "allowedBits": %s,
                  "placement": {"originNode": "n1"}}}
        """
        .formatted(allowedBits);
  }

  @Test
  void aReadableSpecIsReadAsUsual() {
    LLMDeployment d = SERIALIZATION.unmarshal(deployment("[4, 8]"), LLMDeployment.class);
    assertThat(d.getSpec().unreadable()).isNull();
    assertThat(d.getSpec().allowedBits()).containsExactly(4, 8);
    assertThat(d.getSpec().placement().originNode()).isEqualTo("n1");
  }

  @Test
  void aNumberBeyondAnIntBecomesAnUnreadableSpecNamingTheField() {
    LLMDeployment d = SERIALIZATION.unmarshal(deployment("[4, 99999999999]"), LLMDeployment.class);
    assertThat(d.getMetadata().getName()).isEqualTo("m");
    assertThat(d.getSpec().unreadable())
        .startsWith("spec.allowedBits[1]: cannot be read: ")
        .contains("99999999999")
        .doesNotContain("\n");
  }

  @Test
  void aListOfDeploymentsWithOneUnreadableSpecStillReadsEveryItem() {
    String list =
        "{\"apiVersion\": \"dilemma.io/v1alpha1\", \"kind\": \"LLMDeploymentList\", \"items\": ["
            + deployment("[4, 99999999999]") + "," + deployment("[16]") + "]}";
    var items =
        SERIALIZATION
            .unmarshal(new java.io.ByteArrayInputStream(list.getBytes(java.nio.charset.StandardCharsets.UTF_8)), new TypeReference<DefaultKubernetesResourceList<LLMDeployment>>() {})
            .getItems();
    assertThat(items).hasSize(2);
    assertThat(items.get(0).getSpec().unreadable()).isNotNull();
    assertThat(items.get(1).getSpec().unreadable()).isNull();
  }

  @Test
  void theStandInIsNeverWrittenBack() {
    LLMDeployment d = SERIALIZATION.unmarshal(deployment("[4, 99999999999]"), LLMDeployment.class);
    assertThat(SERIALIZATION.asJson(d)).doesNotContain("unreadable");
  }
}
