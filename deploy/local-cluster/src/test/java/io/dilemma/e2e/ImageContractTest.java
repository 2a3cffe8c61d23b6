package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Dockerfiles and the Jib images describe the same image: the jar the build writes for the
 * image, at the same place in /app, started the same way, as uid 10001. For the shard-worker, the
 * jar path is also the one the operator's pods run; for the prober, the image is the one the chart's
 * DaemonSet runs by default.
 */
class ImageContractTest {
  static final Path REPO = repo();

  @ParameterizedTest
  @CsvSource({
    "operator.Dockerfile, operator/pom.xml, dilemma-operator.jar",
    "shard-worker.Dockerfile, shard-worker/serving/pom.xml, shard-worker.jar",
    "prober.Dockerfile, shard-worker/prober/pom.xml, dilemma-prober.jar"
  })
  void dockerfileAndJibShipTheJarTheBuildWrites(String dockerfile, String pom, String jar) throws Exception {
    String text = Files.readString(REPO.resolve("deploy/images").resolve(dockerfile));
    Document build = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve(pom).toFile());
    String moduleDir = Path.of(pom).getParent().toString();

    String shadeOutput = only(build, "outputFile").replace("${project.build.directory}", moduleDir + "/target");
    assertThat(shadeOutput).endsWith("/" + jar);

    Matcher copy = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s+(\\S+)\\s*$").matcher(text);
    assertThat(copy.find()).as("%s has a COPY of the jar", dockerfile).isTrue();
    assertThat(copy.group(1)).as("%s copies the jar the build writes", dockerfile).isEqualTo(shadeOutput);
    assertThat(copy.group(2)).isEqualTo("/app/" + jar);
    assertThat(copy.find()).as("%s copies one file", dockerfile).isFalse();

    List<String> jibEntrypoint = children(build, "entrypoint", "arg");
    assertThat(jibEntrypoint).containsExactly("java", "-jar", "/app/" + jar);
    assertThat(text).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/" + jar + "\"]");

    assertThat(only(build, "user")).isEqualTo("10001:10001");
    assertThat(text).containsPattern("(?m)^USER 10001:10001$");
    // Jib copies the directory the image jar is written to, and only that jar is in it
    assertThat(Path.of(shadeOutput).getParent().toString())
        .isEqualTo(only(build, "from", "extraDirectories").replace("${project.build.directory}", moduleDir + "/target"));
  }

  @Test
  void theChartsProberDaemonSetRunsTheProberImageTheBuildNames() throws Exception {
    Document build = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(REPO.resolve("shard-worker/prober/pom.xml").toFile());
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(REPO.resolve("helm/dilemma/values.yaml").toFile());
    assertThat(values.at("/prober/image/repository").asText()).isEqualTo(only(build, "dilemma.image.name"));
  }

  private static String only(Document d, String tag) {
    NodeList nodes = d.getElementsByTagName(tag);
    assertThat(nodes.getLength()).as("<%s> elements", tag).isGreaterThanOrEqualTo(1);
    String first = nodes.item(0).getTextContent().trim();
    for (int i = 1; i < nodes.getLength(); i++) {
      assertThat(nodes.item(i).getTextContent().trim()).as("every <%s>", tag).isEqualTo(first);
    }
    return first;
  }

  /** The text of {@code tag} elements that sit inside a {@code parent} element. */
  private static String only(Document d, String tag, String parent) {
    NodeList nodes = d.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      for (var p = e.getParentNode(); p != null; p = p.getParentNode()) {
        if (parent.equals(p.getNodeName())) return e.getTextContent().trim();
      }
    }
    throw new AssertionError("no <" + tag + "> inside <" + parent + ">");
  }

  private static List<String> children(Document d, String parent, String child) {
    NodeList parents = d.getElementsByTagName(parent);
    assertThat(parents.getLength()).as("<%s>", parent).isEqualTo(1);
    NodeList kids = ((Element) parents.item(0)).getElementsByTagName(child);
    return java.util.stream.IntStream.range(0, kids.getLength()).mapToObj(i -> kids.item(i).getTextContent().trim()).toList();
  }

  private static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma/crds"))) dir = dir.getParent();
    return dir;
  }
}
