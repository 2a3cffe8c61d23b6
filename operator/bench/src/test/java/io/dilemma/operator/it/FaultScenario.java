package io.dilemma.operator.it;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The example deployment in a namespace of its own, for the fault ITs: what its status says,
 * and which of its objects outlive their plan.
 */
final class FaultScenario {
  static final String NAME = "opt-350m";

  final KubeTestEnvironment env;
  final KubernetesClient client;
  final String namespace;

  FaultScenario(KubeTestEnvironment env, String namespace) {
    this.env = env;
    this.client = env.client();
    this.namespace = namespace;
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    Opt350mExample.createProfile(env, namespace);
  }

  void applyExample() {
    env.kubectl("apply", "-n", namespace, "-f", Opt350mExample.DEPLOYMENT.toString());
  }

  LLMDeployment get() {
    return client.resources(LLMDeployment.class).inNamespace(namespace).withName(NAME).get();
  }

  static String condition(LLMDeployment d, String type, boolean reasonInstead) {
    if (d == null || d.getStatus() == null) return null;
    return d.getStatus().condition(type).map(c -> reasonInstead ? c.getReason() : c.getStatus()).orElse(null);
  }

  /** Ready=True with the head on the desired plan. */
  static boolean readyOnItsPlan(LLMDeployment d) {
    return "True".equals(condition(d, "Ready", false))
        && d.getStatus().plan() != null
        && d.getStatus().plan().planId().equals(d.getStatus().servingPlanId());
  }

  LLMDeployment awaitReady(Duration timeout) {
    return Await.until(namespace + "/" + NAME + " Ready=True on its desired plan", timeout, this::get, FaultScenario::readyOnItsPlan);
  }

  /** The plan the head Service selects, as the API server has it. */
  String headServicePlan() {
    var head = client.services().inNamespace(namespace).withName(ShardNames.headService(NAME)).get();
    return head == null ? null : head.getSpec().getSelector().get(ShardNames.LABEL_PLAN);
  }

  /**
   * Shard objects (Deployments, Services, ConfigMaps, NetworkPolicies) of any plan but {@code plan},
   * and Secrets beyond the deployment's one TLS Secret, as "Kind/name (plan p)".
   */
  List<String> leftoversBeside(String plan) {
    Map<String, String> labels = Map.of(ShardNames.LABEL_DEPLOYMENT, NAME);
    List<String> found = new ArrayList<>();
    List<List<? extends HasMetadata>> kinds = List.of(
        client.apps().deployments().inNamespace(namespace).withLabels(labels).list().getItems(),
        client.services().inNamespace(namespace).withLabels(labels).list().getItems(),
        client.configMaps().inNamespace(namespace).withLabels(labels).list().getItems(),
        client.network().v1().networkPolicies().inNamespace(namespace).withLabels(labels).list().getItems());
    for (List<? extends HasMetadata> objects : kinds) {
      for (HasMetadata o : objects) {
        String of = o.getMetadata().getLabels().get(ShardNames.LABEL_PLAN);
        boolean headService = o.getMetadata().getName().equals(ShardNames.headService(NAME)) && of == null;
        if (!headService && !plan.equals(of)) found.add(o.getKind() + "/" + o.getMetadata().getName() + " (plan " + of + ")");
      }
    }
    for (var secret : client.secrets().inNamespace(namespace).withLabels(labels).list().getItems()) {
      if (!secret.getMetadata().getName().equals(ShardNames.tlsSecret(NAME))) found.add("Secret/" + secret.getMetadata().getName());
    }
    return found;
  }

  /** Seconds between two System.nanoTime() readings, for the report lines. */
  static String seconds(long fromNanos, long toNanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", (toNanos - fromNanos) / 1e9);
  }
}
