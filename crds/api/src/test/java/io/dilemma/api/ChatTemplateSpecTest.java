package io.dilemma.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dilemma.contract.ShardPlan;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spec.serving.chatTemplate}: read from YAML as kubectl writes it, written back unchanged. */
class ChatTemplateSpecTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String YAML =
      """
      apiVersion: dilemma.io/v1alpha1
      kind: LLMDeployment
      metadata: {name: m, namespace: default}
      spec:
        model: {name: m, profile: {name: p}, source: {url: "https://x/m"}}
        workload: {promptTokens: 8, outputTokens: 4}
        quality: {budget: 1.0}
        placement: {originNode: n1}
        serving:
          chatTemplate:
            system: "### System\\n{content}\\n"
            user: "### Question\\n{content}\\n"
            assistant: "### Answer\\n{content}\\n"
            assistantPrefix: "### Answer\\n"
            stop: ["\\n###"]
      """;

  @Test
  void theTemplateSurvivesARoundTripThroughTheApiTypes() {
    LLMDeployment read = SERIALIZATION.unmarshal(YAML, LLMDeployment.class);
    var template = read.getSpec().serving().chatTemplate();
    assertThat(template.user()).isEqualTo("### Question\n{content}\n");
    assertThat(template.assistantPrefix()).isEqualTo("### Answer\n");
    assertThat(template.stop()).containsExactly("\n###");

    LLMDeployment again = SERIALIZATION.unmarshal(SERIALIZATION.asJson(read), LLMDeployment.class);
    assertThat(again.getSpec().serving()).isEqualTo(read.getSpec().serving());
  }

  @Test
  void theHeadGetsTheSameFiveFields() {
    var template = SERIALIZATION.unmarshal(YAML, LLMDeployment.class).getSpec().serving().chatTemplate();
    assertThat(template.toShardPlan())
        .isEqualTo(new ShardPlan.ChatTemplate(
            "### System\n{content}\n", "### Question\n{content}\n", "### Answer\n{content}\n", "### Answer\n", List.of("\n###")));
  }

  @Test
  void withoutATemplateTheSpecSaysNothingAndTheHeadKeepsItsDefault() {
    String plain = YAML.substring(0, YAML.indexOf("  serving:"));
    LLMDeployment read = SERIALIZATION.unmarshal(plain, LLMDeployment.class);
    assertThat(read.getSpec().serving().chatTemplate()).isNull();
    assertThat(SERIALIZATION.asJson(read)).doesNotContain("chatTemplate");
  }

  /** The API server refuses what it can: a format without the placeholder, an empty stop. */
  @Test
  void theSchemaRequiresThePlaceholderInEveryRoleAndAllowsAnEmptyPrefix(@TempDir Path fresh) throws IOException {
    CrdYamlGenerator.generate(fresh);
    JsonNode template =
        new ObjectMapper(new YAMLFactory())
            .readTree(fresh.resolve(CrdYamlGenerator.FILE_NAMES.get(0)).toFile())
            .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/serving/properties/chatTemplate");
    for (String role : List.of("system", "user", "assistant")) {
      assertThat(template.at("/properties/" + role + "/pattern").asText()).as(role).isEqualTo("\\{content\\}");
    }
    assertThat(template.at("/properties/assistantPrefix/minLength").isMissingNode()).isTrue();
    assertThat(template.at("/properties/stop/items/minLength").asInt()).isEqualTo(1);
    assertThat(template.get("required").toString()).isEqualTo("[\"assistant\",\"assistantPrefix\",\"system\",\"user\"]");
  }
}
