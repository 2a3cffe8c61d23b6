package io.dilemma.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The operator jar holds the product only: no benchmark or test harness (those ship in the
 * operator/bench jar), no test library. Runs after {@code package}, on the jar just built.
 */
class OperatorJarContentsTest {
  private static final Path JAR = Path.of("target/dilemma-operator.jar");

  @Test
  void holdsTheCliButNoHarnessAndNoTestLibrary() throws IOException {
    List<String> entries;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      entries = jar.stream().map(JarEntry::getName).toList();
    }
    assertThat(entries).contains("io/dilemma/cli/DilemmaCli.class", "io/dilemma/planner/CpSatPlanner.class");
    assertThat(entries)
        .filteredOn(
            name -> name.matches("io/dilemma/.*/bench/.*")
                || name.startsWith("io/fabric8/kubeapitest/")
                || name.startsWith("org/junit/")
                || name.startsWith("org/testcontainers/")
                || name.startsWith("org/assertj/"))
        .isEmpty();
  }
}
