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
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The prober DaemonSet and its RBAC, as rendered. */
class ProberChartTest {
  private static final Path CHART = Path.of("dilemma");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Test
  void offByDefault() throws IOException {
    assertThat(render(t -> t)).noneMatch(d -> d.path("kind").asText().equals("DaemonSet"));
  }

  @Test
  void daemonSetRunsProbeAsItsOwnNonRootAccountWithTheNodeFromTheDownwardApi() throws IOException {
    List<JsonNode> docs = render(t -> t.set("prober.enabled", true).set("prober.bulkBytes", 4194304));
    JsonNode ds = prober(docs, "DaemonSet");
    JsonNode pod = ds.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(pod.at("/serviceAccountName").asText()).isEqualTo("dilemma-prober");
    assertThat(texts(container.get("args"))).startsWith("probe").contains("--bulk-bytes=4194304",
        "--peer-selector=app.kubernetes.io/name=dilemma,app.kubernetes.io/instance=dilemma,app.kubernetes.io/component=prober");
    // the peer selector is exactly the DaemonSet's pod labels, so peers are this DaemonSet's pods
    assertThat(ds.at("/spec/template/metadata/labels").toString()).isEqualTo(ds.at("/spec/selector/matchLabels").toString());
    assertThat(container.at("/env/0/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("spec.nodeName");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).as("the image's user").isEqualTo(10001);
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/volumeMounts/0/readOnly").asBoolean()).isTrue();
  }

  @Test
  void theNodeIsTheWholeHostUnlessNodeCgroupSaysOtherwise() throws IOException {
    assertThat(texts(prober(render(t -> t.set("prober.enabled", true)), "DaemonSet").at("/spec/template/spec/containers/0/args")))
        .contains("--node-cgroup=none", "--cgroup-root=/host/cgroup");
    assertThat(texts(prober(render(t -> t.set("prober.enabled", true).set("prober.nodeCgroup", "auto")), "DaemonSet")
        .at("/spec/template/spec/containers/0/args"))).contains("--node-cgroup=auto").doesNotContain("--node-cgroup=none");
  }

  @Test
  void theShareHoldIsTwoMinutesUnlessSetAndReachesTheProber() throws IOException {
    assertThat(texts(prober(render(t -> t.set("prober.enabled", true)), "DaemonSet").at("/spec/template/spec/containers/0/args")))
        .contains("--share-hold=PT2M");
    assertThat(texts(prober(render(t -> t.set("prober.enabled", true).set("prober.shareHold", "PT20S")), "DaemonSet")
        .at("/spec/template/spec/containers/0/args"))).contains("--share-hold=PT20S").doesNotContain("--share-hold=PT2M");
  }

  @Test
  void theDefaultImageIsTheOneTheBuildWritesAndItsTagFollowsTheOperators() throws IOException {
    assertThat(prober(render(t -> t.set("prober.enabled", true)), "DaemonSet").at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("dilemma/prober:0.1.0");
    assertThat(prober(render(t -> t.set("prober.enabled", true).set("image.tag", "0.1.0-SNAPSHOT")), "DaemonSet")
        .at("/spec/template/spec/containers/0/image").asText()).isEqualTo("dilemma/prober:0.1.0-SNAPSHOT");
    assertThat(prober(render(t -> t.set("prober.enabled", true).set("image.tag", "a").set("prober.image.tag", "b")), "DaemonSet")
        .at("/spec/template/spec/containers/0/image").asText()).isEqualTo("dilemma/prober:b");
  }

  @Test
  void rbacGrantsEdgeLinksNodeGetPatchAndPodListInItsNamespaceAndNothingMore() throws IOException {
    List<JsonNode> docs = render(t -> t.set("prober.enabled", true));
    JsonNode cluster = prober(docs, "ClusterRole");
    assertThat(grants(cluster)).containsExactlyInAnyOrder(
        "dilemma.io/edgelinks:get", "dilemma.io/edgelinks:list", "dilemma.io/edgelinks:create",
        "dilemma.io/edgelinks:update", "dilemma.io/edgelinks:patch",
        "dilemma.io/edgelinks/status:get", "dilemma.io/edgelinks/status:patch", "dilemma.io/edgelinks/status:update",
        "/nodes:get", "/nodes:patch");
    JsonNode role = prober(docs, "Role");
    assertThat(role.at("/metadata/namespace").asText()).isEqualTo("edge-system");
    assertThat(grants(role)).containsExactly("/pods:list");
    assertThat(prober(docs, "ClusterRoleBinding").at("/subjects/0/name").asText()).isEqualTo("dilemma-prober");
    assertThat(prober(docs, "RoleBinding").at("/subjects/0/name").asText()).isEqualTo("dilemma-prober");
  }

  @Test
  void nodeNamesRestrictWhichNodesMayBePatched() throws IOException {
    List<JsonNode> docs = render(t -> t.set("prober.enabled", true).set("prober.nodeNames[0]", "n1").set("prober.nodeNames[1]", "n2"));
    JsonNode nodes = null;
    for (JsonNode rule : prober(docs, "ClusterRole").get("rules")) {
      if (texts(rule.get("resources")).contains("nodes")) nodes = rule;
    }
    assertThat(nodes).isNotNull();
    assertThat(texts(nodes.get("resourceNames"))).containsExactly("n1", "n2");
  }

  private static Set<String> grants(JsonNode role) {
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode rule : role.get("rules")) {
      for (String g : texts(rule.get("apiGroups"))) {
        for (String r : texts(rule.get("resources"))) {
          for (String v : texts(rule.get("verbs"))) out.add(g + "/" + r + ":" + v);
        }
      }
    }
    return out;
  }

  private static JsonNode prober(List<JsonNode> docs, String kind) {
    List<JsonNode> matching = docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().endsWith("-prober"))
        .toList();
    assertThat(matching).as("rendered prober %s objects", kind).hasSize(1);
    return matching.get(0);
  }

  private static List<JsonNode> render(UnaryOperator<TemplateCommand> options) throws IOException {
    String yaml = options.apply(new Helm(CHART).template().withName("dilemma").withNamespace("edge-system")).call();
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode doc : JSON.readValues(new YAMLFactory().createParser(yaml), JsonNode.class).readAll()) {
      if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) docs.add(doc);
    }
    return docs;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
