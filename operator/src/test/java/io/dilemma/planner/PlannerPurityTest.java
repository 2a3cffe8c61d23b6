package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The planner package depends on the JDK, OR-Tools and itself only: no Kubernetes, no Jackson. */
class PlannerPurityTest {
  private static final Path SOURCES = Path.of("src/main/java/io/dilemma/planner");
  private static final List<String> ALLOWED = List.of("java.", "com.google.ortools.", "io.dilemma.planner.");
  /** Imports and fully qualified names used inline. */
  private static final Pattern QUALIFIED =
      Pattern.compile("\\b((?:java|javax|jakarta|com|org|io|net|sun|kotlin)\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*\\.[A-Z*]\\w*)");

  static List<String> foreignReferences(String source) {
    List<String> foreign = new ArrayList<>();
    Matcher m = QUALIFIED.matcher(source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", ""));
    while (m.find()) {
      String name = m.group(1);
      if (ALLOWED.stream().noneMatch(name::startsWith)) foreign.add(name);
    }
    return foreign;
  }

  @Test
  void plannerSourcesReferenceOnlyTheJdkOrToolsAndThemselves() throws IOException {
    List<String> foreign = new ArrayList<>();
    int files = 0;
    try (Stream<Path> paths = Files.walk(SOURCES)) {
      for (Path file : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
        files++;
        for (String name : foreignReferences(Files.readString(file))) foreign.add(file.getFileName() + ": " + name);
      }
    }
    assertThat(files).isGreaterThan(10);
    assertThat(foreign).isEmpty();
  }

  @Test
  void theCheckerCatchesKubernetesImportsAndInlineNames() {
    String sample =
        "package io.dilemma.planner;\n"
            + "import io.fabric8.kubernetes.api.model.Node;\n"
            + "import com.google.ortools.sat.CpModel;\n"
            + "import java.util.List;\n"
            + "class X { Object o = new com.fasterxml.jackson.databind.ObjectMapper(); }\n"
            + "// io.fabric8.kubernetes.client.KubernetesClient in a comment is fine\n";
    assertThat(foreignReferences(sample))
        .containsExactly("io.fabric8.kubernetes.api.model.Node", "com.fasterxml.jackson.databind.ObjectMapper");
  }
}
