package io.dilemma.api;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the CRD YAML of the custom resources from their Java types.
 *
 * <p>Run {@code mvn -o -q -pl crds/api -am test -Dtest=CrdYamlIsCurrentTest -Dsurefire.failIfNoSpecifiedTests=false -Ddilemma.crds.regenerate=true}
 * after changing a type in {@code io.dilemma.api}.
 */
public final class CrdYamlGenerator {
  /** Checked-in copies, relative to the crds/api module: one on the classpath, one in the Helm chart (also what `kubectl apply -f` takes). */
  static final List<Path> CHECKED_IN_DIRS =
      List.of(Path.of("src/main/resources/META-INF/dilemma"), Path.of("../../helm/dilemma/crds"));

  static final List<String> FILE_NAMES =
      List.of("llmdeployments.dilemma.io-v1.yml", "edgelinks.dilemma.io-v1.yml");

  private CrdYamlGenerator() {}

  public static void generate(Path outputDir) {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    new CRDGenerator()
        .inOutputDir(outputDir.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(LLMDeployment.class, EdgeLink.class)
        .generate();
    SchemaRefinements.applyTo(outputDir.resolve(FILE_NAMES.get(0)));
    SchemaRefinements.applyToEdgeLink(outputDir.resolve(FILE_NAMES.get(1)));
  }

  public static void main(String[] args) {
    for (Path dir : CHECKED_IN_DIRS) {
      generate(dir);
    }
  }
}
