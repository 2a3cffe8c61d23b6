package io.dilemma.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void everySpecFieldHasADescriptionForKubectlExplain(@TempDir Path fresh) throws IOException {
    CrdYamlGenerator.generate(fresh);
    for (String name : CrdYamlGenerator.FILE_NAMES) {
      var crd =
          new com.fasterxml.jackson.databind.ObjectMapper(
                  new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
              .readTree(fresh.resolve(name).toFile());
      var spec =
          crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
      assertThat(spec.isMissingNode()).as(name + " has a spec schema").isFalse();
      assertDescribed(name + " spec", spec);
    }
  }

  private static void assertDescribed(
      String path, com.fasterxml.jackson.databind.JsonNode schema) {
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
