package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ApiRequestCounter;
import io.dilemma.operator.bench.OperatorActivity;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that finds nothing to change asks the API server for nothing but the unwatched
 * profile ConfigMap: no Secret or Service read, no write of any kind (the Services come from an
 * informer, the Secret's hash is remembered, the shards' hashes match their Deployments'). A new
 * deployment's first rollout does not read the Secret either.
 */
class QuietReconcileIT {
  /** What a reconcile of an unchanged deployment may still send. */
  static final List<String> ALLOWED = List.of(
      // the profile ConfigMap is unlabelled, so read by name at each reconcile, not watched
      "get configmaps",
      // the EdgeLink controller's stamps, on the same client: not the deployment's reconcile
      "patch edgelinks/status");

  @Test
  void aReconcileThatChangesNothingReadsOnlyTheProfileAndWritesNothing() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start()) {
      KubernetesClient client = env.client();
      List<String> nodes = Opt350mExample.registerNodesAndLinks(env);
      String ns = "it-quiet";
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
          .withNewMetadata().withName(ns).endMetadata().build()).create();
      Opt350mExample.createProfile(env, ns);
      ApiRequestCounter requests = new ApiRequestCounter();
      try (KubernetesClient counted = requests.client(env.operatorClient().getConfiguration());
          SimulatedKubelet kubelet = new SimulatedKubelet(client, Duration.ZERO);
          DilemmaOperator operator = DilemmaOperator.start(counted,
              new DilemmaOperator.Options(Optional.empty(), -1, 2, LLMDeploymentReconciler.Settings.defaults(), false))) {
        Map<String, Long> atStart = requests.snapshot();
        Path file = Files.createTempFile("quiet", ".yaml");
        Files.writeString(file, Files.readString(Opt350mExample.DEPLOYMENT));
        env.kubectl("apply", "-n", ns, "-f", file.toString());
        Files.delete(file);
        Await.until("the example Ready on its plan", Duration.ofMinutes(2),
            () -> client.resources(LLMDeployment.class).inNamespace(ns).withName("opt-350m").get(),
            d -> d.getStatus() != null && d.getStatus().plan() != null
                && d.getStatus().plan().planId().equals(d.getStatus().servingPlanId())
                && d.getStatus().condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
        OperatorActivity.awaitSettled(operator, Duration.ofMillis(500), Duration.ofMinutes(1));

        Map<String, Long> before = requests.snapshot();
        // A new deployment: nothing can hold its mTLS Secret yet, so none is read before one is written.
        assertThat(before.getOrDefault("get secrets", 0L) - atStart.getOrDefault("get secrets", 0L))
            .as("Secret reads of a new deployment's first rollout: %s", ApiRequestCounter.difference(atStart, before))
            .isZero();
        double reconcilesBefore = OperatorActivity.reconcilesStarted(operator);
        // Any node event reconciles every deployment.
        var node = client.nodes().withName(nodes.get(0)).get();
        node.getMetadata().setAnnotations(Map.of("it.dilemma.io/touched", Long.toString(System.nanoTime())));
        client.nodes().resource(node).update();
        Await.until("a reconcile after the node event", Duration.ofSeconds(30),
            () -> OperatorActivity.reconcilesStarted(operator), n -> n > reconcilesBefore);
        OperatorActivity.awaitSettled(operator, Duration.ofMillis(500), Duration.ofMinutes(1));
        Map<String, Long> after = requests.snapshot();

        Map<String, Long> sent = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
          long n = v - before.getOrDefault(k, 0L);
          if (n > 0) sent.put(k, n);
        });
        assertThat(sent.keySet()).as("requests of a reconcile that changes nothing: %s", sent).isSubsetOf(ALLOWED);
      }
    }
  }
}
