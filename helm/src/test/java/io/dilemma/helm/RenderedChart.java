package io.dilemma.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The chart rendered by `helm template` (release dilemma in edge-system), as JSON documents. */
record RenderedChart(List<JsonNode> docs) {
  static final Path CHART = Path.of("dilemma");
  static final ObjectMapper JSON = JsonMapper.builder().build();

  static RenderedChart of(UnaryOperator<TemplateCommand> options) throws IOException {
    String yaml = options.apply(new Helm(CHART).template().withName("dilemma").withNamespace("edge-system")).call();
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode doc : JSON.readValues(new YAMLFactory().createParser(yaml), JsonNode.class).readAll()) {
      if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) docs.add(doc);
    }
    return new RenderedChart(docs);
  }

  List<JsonNode> all(String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  JsonNode only(String kind) {
    List<JsonNode> matching = all(kind);
    assertThat(matching).as("rendered %s objects", kind).hasSize(1);
    return matching.get(0);
  }

  JsonNode named(String kind, String name) {
    return all(kind).stream()
        .filter(d -> d.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }
}
