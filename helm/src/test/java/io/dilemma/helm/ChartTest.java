package io.dilemma.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ChartTest {
  private static final Path CHART = Path.of("dilemma");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Test
  void operatorRunsNonRootWithLeaderElectionInTheReleaseNamespace() throws IOException {
    JsonNode deployment = only(render(t -> t), "Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    assertThat(texts(container.get("args")))
        .startsWith("operator")
        .contains("--http-port=8081", "--leader-election-namespace=edge-system");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/image").asText()).isEqualTo("ghcr.io/dilemma/operator:0.1.0");
  }

  @Test
  void valuesReachTheOperatorArguments() throws IOException {
    JsonNode deployment =
        only(
            render(t -> t.set("operator.leaderElection", false).set("operator.edgeLinkTtlSeconds", 120)),
            "Deployment");
    List<String> args = texts(deployment.at("/spec/template/spec/containers/0/args"));
    assertThat(args).contains("--edge-link-ttl=120");
    assertThat(args).noneMatch(a -> a.startsWith("--leader-election-namespace"));
  }

  @Test
  void bindingGrantsTheRoleToTheOperatorsServiceAccount() throws IOException {
    List<JsonNode> docs = render(t -> t);
    String account = only(docs, "ServiceAccount").at("/metadata/name").asText();
    JsonNode binding = only(docs, "ClusterRoleBinding");
    assertThat(only(docs, "Deployment").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo(account);
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(account);
    assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("edge-system");
    assertThat(binding.at("/roleRef/name").asText())
        .isEqualTo(only(docs, "ClusterRole").at("/metadata/name").asText());
  }

  /** Every API call the operator makes (see io.dilemma.operator) needs a rule here. */
  @Test
  void roleCoversWhatTheOperatorReadsAndOwns() throws IOException {
    JsonNode role = only(render(t -> t), "ClusterRole");
    assertThat(allows(role, "dilemma.io", "llmdeployments", "watch")).isTrue();
    assertThat(allows(role, "dilemma.io", "llmdeployments", "patch")).isTrue();
    assertThat(allows(role, "dilemma.io", "llmdeployments/status", "patch")).isTrue();
    assertThat(allows(role, "dilemma.io", "edgelinks", "list")).isTrue();
    assertThat(allows(role, "dilemma.io", "edgelinks/status", "patch")).isTrue();
    assertThat(allows(role, "", "nodes", "watch")).isTrue();
    assertThat(allows(role, "", "nodes", "delete")).isFalse();
    for (String verb : List.of("create", "patch", "delete", "watch")) {
      assertThat(allows(role, "apps", "deployments", verb)).as(verb).isTrue();
      assertThat(allows(role, "", "configmaps", verb)).as(verb).isTrue();
      assertThat(allows(role, "", "services", verb)).as(verb).isTrue();
    }
    assertThat(allows(role, "", "events", "create")).isTrue();
    assertThat(allows(role, "coordination.k8s.io", "leases", "update")).isTrue();
  }

  @Test
  void serviceMonitorOnlyWhenAsked() throws IOException {
    assertThat(render(t -> t)).noneMatch(d -> d.path("kind").asText().equals("ServiceMonitor"));
    JsonNode monitor =
        only(render(t -> t.set("metrics.serviceMonitor.enabled", true)), "ServiceMonitor");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
  }

  private static boolean allows(JsonNode role, String group, String resource, String verb) {
    for (JsonNode rule : role.get("rules")) {
      if (texts(rule.get("apiGroups")).contains(group)
          && texts(rule.get("resources")).contains(resource)
          && texts(rule.get("verbs")).contains(verb)) {
        return true;
      }
    }
    return false;
  }

  private static List<JsonNode> render(UnaryOperator<TemplateCommand> options) throws IOException {
    String yaml =
        options.apply(new Helm(CHART).template().withName("dilemma").withNamespace("edge-system")).call();
    List<JsonNode> docs = new ArrayList<>();
    YAMLParser parser = new YAMLFactory().createParser(yaml);
    for (JsonNode doc : JSON.readValues(parser, JsonNode.class).readAll()) {
      if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) docs.add(doc);
    }
    return docs;
  }

  private static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> matching = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(matching).as("rendered %s objects", kind).hasSize(1);
    return matching.get(0);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
