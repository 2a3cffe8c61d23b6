package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.MemoryLedger;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Many LLMDeployments created at once on a few nodes with too little memory for all of them, the
 * operator planning them on several threads side by side (solves run outside the memory ledger's
 * lock): every one ends Planned or reported Infeasible, and no node is ever promised, nor asked
 * by pods, more memory than it has.
 */
class ConcurrentPlanningIT {
  static final long OVERHEAD = 128L << 20;
  static final long NODE_MEMORY = 1536L << 20;
  static final int NODES = 3;
  static final int DEPLOYMENTS = 12;

  @Test
  void deploymentsPlannedSideBySideNeverOversubscribeANode() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start()) {
      KubernetesClient client = env.client();
      String ns = "it-concurrent";
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("opt-350m-profile").endMetadata()
          .withData(Map.of("profile.json", Files.readString(KubeTestEnvironment.REPO.resolve("deploy/examples/opt-350m-edge/profile.json"))))
          .build()).create();
      List<String> names = new ArrayList<>();
      for (int k = 0; k < NODES; k++) {
        String node = "tight-" + k;
        names.add(node);
        ExampleNodes.registerNode(client, node, "tight", 50 + 50 * k, 10 + 5 * k, NODE_MEMORY);
      }
      ExampleNodes.linkAll(client, names, 1000, 0.6);
      try (DilemmaOperator operator =
          DilemmaOperator.start(env.operatorClient(), new CpSatPlanner(), ModelCostsFromProfile::toModelCosts,
              new DilemmaOperator.Options(Optional.empty(), -1, 4,
                  new LLMDeploymentReconciler.Settings(OVERHEAD, LinkReading.Freshness.defaults()), true))) {
        for (int i = 0; i < DEPLOYMENTS; i++) client.resource(deployment(ns, i, names.get(i % NODES))).create();

        List<LLMDeployment> all = Await.until("every deployment Planned or reported", Duration.ofMinutes(3),
            () -> client.resources(LLMDeployment.class).inNamespace(ns).list().getItems(),
            list -> list.size() == DEPLOYMENTS && list.stream().allMatch(d -> d.getStatus() != null
                && d.getStatus().condition("Planned").isPresent()));

        long planned = all.stream().filter(d -> d.getStatus().plan() != null).count();
        assertThat(planned).as("deployments with a plan").isPositive();
        assertThat(planned).as("the nodes cannot hold all of them").isLessThan(DEPLOYMENTS);
        assertThat(all).allSatisfy(d -> assertThat(d.getStatus().condition("Planned").orElseThrow().getReason())
            .isIn("Solved", "Infeasible"));

        Map<String, Long> promised = new HashMap<>();
        for (LLMDeployment d : all) {
          if (d.getStatus().plan() == null) continue;
          MemoryLedger.requestsByNode(d.getStatus().plan(), OVERHEAD).forEach((n, bytes) -> promised.merge(n, bytes, Long::sum));
        }
        assertThat(promised).isNotEmpty();
        promised.forEach((node, bytes) -> assertThat(bytes).as("memory planned on " + node).isLessThanOrEqualTo(NODE_MEMORY));

        Await.until("the shard Deployments of every plan", Duration.ofMinutes(1),
            () -> client.apps().deployments().inNamespace(ns).list().getItems(),
            ds -> ds.size() >= all.stream().filter(d -> d.getStatus().plan() != null).mapToInt(d -> d.getStatus().plan().shards().size()).sum());
        Map<String, Long> requested = new HashMap<>();
        for (Deployment deployment : client.apps().deployments().inNamespace(ns).list().getItems()) {
          var pod = deployment.getSpec().getTemplate().getSpec();
          requested.merge(pod.getNodeSelector().get("kubernetes.io/hostname"),
              pod.getContainers().get(0).getResources().getRequests().get("memory").getNumericalAmount().longValue(), Long::sum);
        }
        requested.forEach((node, bytes) -> assertThat(bytes).as("memory requested on " + node).isLessThanOrEqualTo(NODE_MEMORY));
      }
    }
  }

  private static LLMDeployment deployment(String ns, int i, String origin) {
    LLMDeployment d = new LLMDeployment();
    d.setMetadata(new ObjectMetaBuilder().withName(String.format(java.util.Locale.ROOT, "llm-%02d", i)).withNamespace(ns).build());
    d.setSpec(new LLMDeploymentSpec(
        new LLMDeploymentSpec.ModelSpec("opt-350m", new LLMDeploymentSpec.ConfigMapKeyRef("opt-350m-profile", null),
            new LLMDeploymentSpec.ShardSource("https://models.local/opt-350m", null)),
        new LLMDeploymentSpec.WorkloadSpec(256, 128),
        new LLMDeploymentSpec.QualitySpec(1.0, null), null, null,
        new LLMDeploymentSpec.PlacementSpec(Map.of(ExampleNodes.POOL_LABEL, "tight"), origin, true),
        null, new LLMDeploymentSpec.SolverSpec(1.0), null));
    return d;
  }
}
