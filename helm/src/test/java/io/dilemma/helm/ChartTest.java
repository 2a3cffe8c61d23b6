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
  void bindingsGrantTheRolesToTheOperatorsServiceAccount() throws IOException {
    List<JsonNode> docs = render(t -> t);
    String account = only(docs, "ServiceAccount").at("/metadata/name").asText();
    assertThat(only(docs, "Deployment").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo(account);
    List<JsonNode> bindings =
        docs.stream().filter(d -> d.path("kind").asText().endsWith("RoleBinding")).toList();
    assertThat(bindings).hasSize(3); // cluster-scoped reads, namespaced objects, the Lease
    for (JsonNode binding : bindings) {
      assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(account);
      assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("edge-system");
      String kind = binding.at("/roleRef/kind").asText();
      assertThat(named(docs, kind, binding.at("/roleRef/name").asText())).as("role of %s", binding).isNotNull();
    }
  }

  /** Every API call the operator makes (see io.dilemma.operator) needs a rule here, and no more. */
  @Test
  void rolesCoverWhatTheOperatorReadsAndOwns() throws IOException {
    List<JsonNode> docs = render(t -> t);
    JsonNode cluster = named(docs, "ClusterRole", "dilemma-cluster");
    JsonNode role = named(docs, "ClusterRole", "dilemma");
    assertThat(allows(cluster, "", "nodes", "watch")).isTrue();
    assertThat(allows(cluster, "", "nodes", "delete")).isFalse();
    assertThat(allows(cluster, "dilemma.io", "edgelinks", "list")).isTrue();
    assertThat(allows(cluster, "dilemma.io", "edgelinks/status", "patch")).isTrue();
    // the EdgeLink controller writes the status only
    assertThat(allows(cluster, "dilemma.io", "edgelinks", "patch")).isFalse();
    assertThat(allows(cluster, "dilemma.io", "edgelinks", "update")).isFalse();
    assertThat(allows(role, "dilemma.io", "llmdeployments", "watch")).isTrue();
    assertThat(allows(role, "dilemma.io", "llmdeployments", "patch")).isTrue();
    assertThat(allows(role, "dilemma.io", "llmdeployments", "update")).isFalse();
    assertThat(allows(role, "dilemma.io", "llmdeployments/status", "patch")).isTrue();
    for (String verb : List.of("create", "patch", "delete", "watch")) {
      assertThat(allows(role, "apps", "deployments", verb)).as(verb).isTrue();
      assertThat(allows(role, "", "configmaps", verb)).as(verb).isTrue();
      assertThat(allows(role, "", "services", verb)).as(verb).isTrue();
    }
    assertThat(allows(role, "networking.k8s.io", "networkpolicies", "patch")).isTrue();
    assertThat(allows(role, "", "secrets", "create")).isTrue();
    assertThat(allows(role, "", "secrets", "list")).isFalse();
    assertThat(allows(role, "", "secrets", "watch")).isFalse();
    assertThat(allows(role, "", "pods/exec", "create")).isFalse();
    assertThat(allows(role, "", "events", "create")).isTrue();
    for (JsonNode r : List.of(cluster, role)) {
      assertThat(allows(r, "coordination.k8s.io", "leases", "update")).isFalse();
    }
    JsonNode lease = named(docs, "Role", "dilemma-leader-election");
    assertThat(lease.at("/metadata/namespace").asText()).isEqualTo("edge-system");
    assertThat(allows(lease, "coordination.k8s.io", "leases", "update")).isTrue();
  }

  @Test
  void watchedNamespacesGetARoleEachAndNoNamespacedClusterRole() throws IOException {
    Path teams = values("operator:\n  watchNamespaces: [team-a, team-b]\n");
    List<JsonNode> docs = render(t -> t.withValuesFile(teams));
    assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("ClusterRole")))
        .extracting(d -> d.at("/metadata/name").asText())
        .containsExactly("dilemma-cluster");
    List<JsonNode> roles =
        docs.stream()
            .filter(d -> d.path("kind").asText().equals("Role") && d.at("/metadata/name").asText().equals("dilemma"))
            .toList();
    assertThat(roles).extracting(r -> r.at("/metadata/namespace").asText()).containsExactly("team-a", "team-b");
    assertThat(roles).allMatch(r -> allows(r, "apps", "deployments", "patch"));
    assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("RoleBinding")))
        .extracting(d -> d.at("/metadata/namespace").asText())
        .containsExactlyInAnyOrder("team-a", "team-b", "edge-system");
    assertThat(texts(only(docs, "Deployment").at("/spec/template/spec/containers/0/args")))
        .contains("--watch-namespaces=team-a,team-b");
  }

  @Test
  void allowedWorkerImagesReachTheOperator() throws IOException {
    List<String> none = texts(only(render(t -> t), "Deployment").at("/spec/template/spec/containers/0/args"));
    assertThat(none).noneMatch(a -> a.startsWith("--allowed-worker-images") || a.startsWith("--watch-namespaces"));
    Path images = values("operator:\n  allowedWorkerImages: [\"ghcr.io/dilemma/shard-worker:*\"]\n");
    List<String> args =
        texts(
            only(render(t -> t.withValuesFile(images)), "Deployment")
                .at("/spec/template/spec/containers/0/args"));
    assertThat(args).contains("--allowed-worker-images=ghcr.io/dilemma/shard-worker:*");
  }

  @Test
  void noLeaseRoleWithoutLeaderElection() throws IOException {
    assertThat(render(t -> t.set("operator.leaderElection", false)))
        .noneMatch(d -> d.at("/metadata/name").asText().equals("dilemma-leader-election"));
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

  private static Path values(String yaml) throws IOException {
    Path file = java.nio.file.Files.createTempFile("dilemma-values", ".yaml");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(file, yaml);
    return file;
  }

  private static JsonNode named(List<JsonNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
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
