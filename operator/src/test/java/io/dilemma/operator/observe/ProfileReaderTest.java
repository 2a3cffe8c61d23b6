package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ContractJson;
import io.dilemma.operator.Fixtures;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileReaderTest {
  private final ProfileReader reader = new ProfileReader(ModelCostsFromProfile::toModelCosts);
  private final io.dilemma.api.LLMDeploymentSpec spec = Fixtures.spec("a", 0.5);
  private final io.dilemma.api.LLMDeploymentSpec.ConfigMapKeyRef ref = spec.model().profile();

  private static ConfigMap configMap(Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withName("test-opt-profile").endMetadata().withData(data).build();
  }

  @Test
  void aProfileBecomesCostsInTheSpecsMetric() throws Exception {
    var costs = reader.costs("llm", ref, configMap(Map.of("profile.json", ContractJson.write(Fixtures.profile(4, 64)))), spec);
    assertThat(costs.layers()).hasSize(4);
    assertThat(costs.layers().get(0).bits()).extracting(b -> b.bits()).contains(2, 4, 16);
  }

  @Test
  void eachProblemNamesTheConfigMapKeyOrField() {
    assertThatThrownBy(() -> reader.costs("llm", ref, null, spec))
        .hasMessage("ConfigMap llm/test-opt-profile (spec.model.profile.name) does not exist");
    assertThatThrownBy(() -> reader.costs("llm", ref, configMap(Map.of("other.json", "{}")), spec))
        .hasMessage("ConfigMap llm/test-opt-profile has no key 'profile.json' (spec.model.profile.key)");
    assertThatThrownBy(() -> reader.costs("llm", ref, configMap(Map.of("profile.json", "{not json")), spec))
        .hasMessageStartingWith("ConfigMap llm/test-opt-profile key 'profile.json' is not a model profile: ")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> reader.costs("llm", ref, configMap(Map.of("profile.json", "{\"layers\":[]}")), spec))
        .hasMessageStartingWith("ConfigMap llm/test-opt-profile key 'profile.json' is not a model profile: schemaVersion: ");
    assertThatThrownBy(() -> reader.costs("llm", ref, configMap(Map.of("profile.json", "{\"schemaVersion\":1,\"layers\":[]}")), spec))
        .hasMessage("ConfigMap llm/test-opt-profile key 'profile.json': layers: the profile has no layers");
  }

  @Test
  void anUnchangedConfigMapIsNotParsedAgainButItsNextVersionIs() throws Exception {
    String profile = ContractJson.write(Fixtures.profile(4, 64));
    reader.costs("llm", ref, stored("7", Map.of("profile.json", profile)), spec);
    // Same uid and resourceVersion: the remembered profile, whatever the object now holds.
    assertThat(reader.costs("llm", ref, stored("7", Map.of("profile.json", "{not json")), spec).layers()).hasSize(4);
    assertThatThrownBy(() -> reader.costs("llm", ref, stored("8", Map.of("profile.json", "{not json")), spec))
        .hasMessageStartingWith("ConfigMap llm/test-opt-profile key 'profile.json' is not a model profile: ");
  }

  private static ConfigMap stored(String resourceVersion, Map<String, String> data) {
    ConfigMap configMap = configMap(data);
    configMap.getMetadata().setUid("uid-1");
    configMap.getMetadata().setResourceVersion(resourceVersion);
    return configMap;
  }
}
