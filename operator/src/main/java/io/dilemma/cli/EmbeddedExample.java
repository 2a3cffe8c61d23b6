package io.dilemma.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The paper-scale example (OPT-350m-sized, 4 edge nodes + a cloud node) packed into the jar, so
 * that {@code dilemma plan} runs without arguments on a fresh checkout.
 */
final class EmbeddedExample {
  private static final String RESOURCE_DIR = "io/dilemma/cli/default-example/";
  private static final List<String> FILES = List.of("profile.json", "cluster.yaml");

  private EmbeddedExample() {}

  /** Copies the example into a fresh temporary directory, since the input readers take paths. */
  static Path extract() {
    try {
      Path dir = Files.createTempDirectory("dilemma-example-opt-350m-edge");
      dir.toFile().deleteOnExit();
      for (String name : FILES) {
        try (InputStream in = EmbeddedExample.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
          if (in == null) throw new IllegalStateException("the jar lacks its embedded example " + name);
          Path file = dir.resolve(name);
          Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
          file.toFile().deleteOnExit();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded example", e);
    }
  }
}
