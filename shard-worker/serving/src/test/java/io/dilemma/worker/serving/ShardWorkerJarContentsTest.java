package io.dilemma.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shard-worker jar holds what a pod runs: no benchmark and no local process launcher (those
 * ship in the shard-worker/bench jar), no test library, no Kubernetes model. Runs after
 * {@code package}, on the jar just built.
 */
class ShardWorkerJarContentsTest {
  private static final Path JAR = Path.of("target/shard-worker.jar");

  @Test
  void holdsServeButNoHarnessNoTestLibraryAndNoKubernetesModel() throws IOException {
    List<String> entries;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      entries = jar.stream().map(JarEntry::getName).toList();
    }
    assertThat(entries).contains("io/dilemma/worker/cli/ShardWorkerCli.class", "io/dilemma/contract/ShardPlan.class");
    assertThat(entries)
        .filteredOn(
            name -> name.matches("io/dilemma/.*/bench/.*")
                || name.startsWith("io/dilemma/worker/serving/launch/")
                || name.startsWith("io/fabric8/")
                || name.startsWith("org/junit/")
                || name.startsWith("com/code_intelligence/")
                || name.startsWith("org/assertj/"))
        .isEmpty();
  }
}
