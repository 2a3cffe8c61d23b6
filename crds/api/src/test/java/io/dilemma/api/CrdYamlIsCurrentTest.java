package io.dilemma.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrdYamlIsCurrentTest {
  private static final String REGENERATE =
      "mvn -o -q -pl crds/api -am test -Dtest=CrdYamlIsCurrentTest -Dsurefire.failIfNoSpecifiedTests=false -Ddilemma.crds.regenerate=true";

  @Test
  void checkedInCrdYamlMatchesTheJavaTypes(@TempDir Path fresh) throws IOException {
    if (Boolean.getBoolean("dilemma.crds.regenerate")) {
      CrdYamlGenerator.main(new String[0]);
    }
    CrdYamlGenerator.generate(fresh);
    for (String name : CrdYamlGenerator.FILE_NAMES) {
      String expected = Files.readString(fresh.resolve(name));
      for (Path dir : CrdYamlGenerator.CHECKED_IN_DIRS) {
        Path checkedIn = dir.resolve(name);
        assertThat(checkedIn)
            .withFailMessage("%s is missing; regenerate with: %s", checkedIn, REGENERATE)
            .exists();
        assertThat(Files.readString(checkedIn))
            .withFailMessage("%s is stale; regenerate with: %s", checkedIn, REGENERATE)
            .isEqualTo(expected);
      }
    }
  }

  /** Every CRD as generated now, by file name, in {@link CrdYamlGenerator#FILE_NAMES} order. */
  private static Map<String, JsonNode> generated(Path fresh) throws IOException {
    CrdYamlGenerator.generate(fresh);
    Map<String, JsonNode> crds = new LinkedHashMap<>();
    for (String name : CrdYamlGenerator.FILE_NAMES) {
      crds.put(name, new ObjectMapper(new YAMLFactory()).readTree(fresh.resolve(name).toFile()));
    }
    return crds;
  }

  private static JsonNode llmDeploymentCrd(Path fresh) throws IOException {
    return generated(fresh).get(CrdYamlGenerator.FILE_NAMES.get(0));
  }

  @Test
  void everySpecFieldHasADescriptionForKubectlExplain(@TempDir Path fresh) throws IOException {
    for (var crd : generated(fresh).entrySet()) {
      var spec = crd.getValue().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
      assertThat(spec.isMissingNode()).as(crd.getKey() + " has a spec schema").isFalse();
      assertDescribed(crd.getKey() + " spec", spec);
    }
  }

  @Test
  void kubectlShowsColumnsInTheReadmesOrderAndExplainsSpecStatusAndReasons(@TempDir Path fresh) throws IOException {
    var crd = llmDeploymentCrd(fresh);
    var version = crd.at("/spec/versions/0");
    java.util.List<String> names = new java.util.ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> names.add(c.get("name").asText()));
    assertThat(names).containsExactly("Ready", "Shards", "Predicted", "Bits%", "Age");
    var schema = version.at("/schema/openAPIV3Schema/properties");
    assertThat(schema.at("/spec/description").asText()).isNotBlank();
    assertThat(schema.at("/status/description").asText()).isNotBlank();
    assertDescribed(name(crd) + " status", schema.get("status"));
    assertThat(schema.at("/status/properties/lastReplanReason/enum").toString())
        .isEqualTo("[\"Initial\",\"SpecChanged\",\"PlanInfeasible\",\"Improvement\"]");
    assertThat(schema.at("/status/properties/lastReplanReason/description").asText()).contains("Initial");
  }

  private static String name(JsonNode crd) {
    return crd.at("/metadata/name").asText();
  }

  /** An unbounded integer overflows the operator's {@code int} fields and kills its informer. */
  @Test
  void everyNumberInASpecHasBothBounds(@TempDir Path fresh) throws IOException {
    for (var crd : generated(fresh).entrySet()) {
      assertBounded(crd.getKey() + " spec", crd.getValue().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec"));
    }
  }

  @Test
  void bitWidthsAreLimitedToTheSupportedSet(@TempDir Path fresh) throws IOException {
    var items = llmDeploymentCrd(fresh).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/allowedBits/items");
    assertThat(items.path("enum").toString()).isEqualTo("[2,3,4,8,16]");
  }

  private static void assertBounded(String path, JsonNode schema) {
    String type = schema.path("type").asText();
    if (type.equals("integer") || type.equals("number")) {
      boolean bounded =
          schema.has("enum") || (schema.has("minimum") && schema.has("maximum"));
      assertThat(bounded).as(path + " has a minimum and a maximum (or an enum)").isTrue();
    }
    if (schema.has("items")) assertBounded(path + "[]", schema.path("items"));
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            field -> {
              // Kubernetes' own ResourceRequirements: quantities, bounded by the API server.
              if (!field.getKey().equals("resources")) {
                assertBounded(path + "." + field.getKey(), field.getValue());
              }
            });
  }

  private static void assertDescribed(String path, JsonNode schema) {
    var properties = schema.path("properties");
    properties
        .fields()
        .forEachRemaining(
            field -> {
              String fieldPath = path + "." + field.getKey();
              assertThat(field.getValue().path("description").asText())
                  .as(fieldPath + " has a description")
                  .isNotBlank();
              if (!field.getKey().equals("resources")) {
                assertDescribed(fieldPath, field.getValue());
              }
            });
  }
}
