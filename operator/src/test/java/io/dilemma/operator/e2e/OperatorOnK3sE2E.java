package io.dilemma.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.observe.NodeReading;
import io.dilemma.operator.rollout.ShardNames;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The operator against a real single-node k3s (with a scheduler and kubelet): the example
 * deployment is planned onto the k3s node and its shard Deployment is scheduled there.
 *
 * <p>Not covered yet: installing the operator through the Helm chart in {@code helm/dilemma} and
 * waiting for Ready both need published operator and shard-worker images, which this build does
 * not produce; the chart's CRDs are applied directly and the operator runs in this JVM.
 */
class OperatorOnK3sE2E {
  static final Path REPO = repo();

  @Test
  void theExampleIsPlannedAndScheduledOnK3s() throws Exception {
    Assumptions.assumeTrue(dockerAvailable(), "no Docker daemon: the k3s E2E needs one");
    try (K3sContainer k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.27.4-k3s1"))) {
      k3s.start();
      try (KubernetesClient client =
          new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
        for (Path crd : Files.list(REPO.resolve("helm/dilemma/crds")).sorted().toList()) {
          client.load(Files.newInputStream(crd)).serverSideApply();
        }
        Node node = client.nodes().list().getItems().get(0);
        String name = node.getMetadata().getName();
        client.nodes().withName(name).edit(n -> {
          n.getMetadata().getLabels().putAll(Map.of(
              "dilemma.io/pool", "office", NodeReading.GFLOPS, "100", NodeReading.MEMORY_BANDWIDTH_GBPS, "20"));
          return n;
        });
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
            .withNewMetadata().withName("opt-350m-profile").endMetadata()
            .withData(Map.of("profile.json", Files.readString(REPO.resolve("deploy/examples/opt-350m-edge/profile.json"))))
            .build()).create();
        LLMDeployment example = client.resources(LLMDeployment.class)
            .load(Files.newInputStream(REPO.resolve("deploy/examples/opt-350m-llmdeployment.yaml"))).item();
        var spec = example.getSpec();
        example.setSpec(new io.dilemma.api.LLMDeploymentSpec(spec.model(), spec.workload(), spec.quality(),
            spec.allowedBits(), spec.allowedRho(),
            new io.dilemma.api.LLMDeploymentSpec.PlacementSpec(spec.placement().nodeSelector(), name, true),
            spec.replanPolicy(), spec.solver(), spec.worker()));
        example.getMetadata().setNamespace("default");
        try (DilemmaOperator operator = DilemmaOperator.start(client, new CpSatPlanner(),
            ModelCostsFromProfile::toModelCosts, DilemmaOperator.Options.defaults())) {
          client.resource(example).create();
          long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
          LLMDeployment d;
          do {
            Thread.sleep(500);
            d = client.resources(LLMDeployment.class).inNamespace("default").withName("opt-350m").get();
          } while (System.nanoTime() < deadline && (d.getStatus() == null || d.getStatus().plan() == null));
          assertThat(d.getStatus().plan()).as("status %s", d.getStatus()).isNotNull();
          assertThat(d.getStatus().plan().shards()).allMatch(s -> s.node().equals(name));
          var pods = client.pods().inNamespace("default").withLabel(ShardNames.LABEL_DEPLOYMENT, "opt-350m");
          var scheduled = pods.waitUntilCondition(
              p -> p != null && p.getSpec().getNodeName() != null, 2, java.util.concurrent.TimeUnit.MINUTES);
          assertThat(scheduled.getSpec().getNodeName()).isEqualTo(name);
        }
      }
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma/crds"))) dir = dir.getParent();
    return dir;
  }
}
