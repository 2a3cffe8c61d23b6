package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.api.LLMDeployment;
import io.dilemma.contract.ShardTls;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the operator's ServiceAccount may and may not do under the chart rendered with
 * {@code watchNamespaces: [team-a]}, asked of the real API server, and the operator working
 * under exactly that.
 */
class LeastPrivilegeIT {
  static final String WATCHED = "team-a";
  static final String UNWATCHED = "team-b";

  static KubeTestEnvironment env;
  static KubernetesClient admin;
  static KubernetesClient operatorClient;

  @BeforeAll
  static void start() throws Exception {
    env = KubeTestEnvironment.start();
    admin = env.client();
    Path values = Files.createTempFile("dilemma-values", ".yaml");
    Files.writeString(values, "operator:\n  watchNamespaces: [" + WATCHED + "]\n");
    operatorClient = ChartRbac.install(admin, values);
    Files.delete(values);
    env.kubectl("create", "namespace", UNWATCHED);
  }

  @AfterAll
  static void stop() throws Exception {
    if (operatorClient != null) operatorClient.close();
    if (env != null) env.close();
  }

  private static boolean may(String verb, String group, String resource, String subresource, String namespace) {
    SelfSubjectAccessReview review =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb(verb)
            .withGroup(group)
            .withResource(resource)
            .withSubresource(subresource)
            .withNamespace(namespace)
            .endResourceAttributes()
            .endSpec()
            .build();
    return operatorClient.authorization().v1().selfSubjectAccessReview().create(review).getStatus().getAllowed();
  }

  @Test
  void secretsOnlyByNameAndOnlyInWatchedNamespaces() {
    assertThat(may("create", "", "secrets", null, WATCHED)).isTrue();
    assertThat(may("get", "", "secrets", null, WATCHED)).isTrue();
    assertThat(may("list", "", "secrets", null, WATCHED)).isFalse();
    assertThat(may("watch", "", "secrets", null, WATCHED)).isFalse();
    assertThat(may("get", "", "secrets", null, UNWATCHED)).isFalse();
    assertThat(may("get", "", "secrets", null, "kube-system")).isFalse();
    assertThat(may("list", "", "secrets", null, "")).isFalse();
  }

  @Test
  void neverPodsExecOrPodsAtAll() {
    assertThat(may("create", "", "pods", "exec", WATCHED)).isFalse();
    assertThat(may("get", "", "pods", "exec", WATCHED)).isFalse();
    assertThat(may("create", "", "pods", null, WATCHED)).isFalse();
  }

  @Test
  void ownsObjectsOnlyInWatchedNamespaces() {
    for (String ns : new String[] {UNWATCHED, "kube-system", ChartRbac.NAMESPACE}) {
      assertThat(may("create", "", "configmaps", null, ns)).as(ns).isFalse();
      assertThat(may("patch", "apps", "deployments", null, ns)).as(ns).isFalse();
      assertThat(may("delete", "", "services", null, ns)).as(ns).isFalse();
      assertThat(may("list", "dilemma.io", "llmdeployments", null, ns)).as(ns).isFalse();
    }
    assertThat(may("create", "", "configmaps", null, WATCHED)).isTrue();
    assertThat(may("patch", "apps", "deployments", null, WATCHED)).isTrue();
    assertThat(may("patch", "networking.k8s.io", "networkpolicies", null, WATCHED)).isTrue();
  }

  @Test
  void writesOnlyTheStatusWhereOnlyTheStatusIsWritten() {
    assertThat(may("patch", "dilemma.io", "edgelinks", "status", "")).isTrue();
    assertThat(may("patch", "dilemma.io", "edgelinks", null, "")).isFalse();
    assertThat(may("update", "dilemma.io", "edgelinks", null, "")).isFalse();
    assertThat(may("update", "dilemma.io", "llmdeployments", null, WATCHED)).isFalse();
    assertThat(may("delete", "dilemma.io", "llmdeployments", null, WATCHED)).isFalse();
    assertThat(may("delete", "", "nodes", null, "")).isFalse();
  }

  @Test
  void theLeaseOnlyInTheReleaseNamespace() {
    assertThat(may("update", "coordination.k8s.io", "leases", null, ChartRbac.NAMESPACE)).isTrue();
    assertThat(may("update", "coordination.k8s.io", "leases", null, WATCHED)).isFalse();
    assertThat(may("create", "coordination.k8s.io", "leases", null, "kube-system")).isFalse();
  }

  @Test
  void deniedCallsAreRefusedByTheApiServer() {
    assertThatThrownBy(() -> operatorClient.secrets().inNamespace("kube-system").list())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> operatorClient.configMaps().inNamespace(UNWATCHED).list())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> operatorClient.secrets().inNamespace(WATCHED).list())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }

  /** The operator, under exactly these permissions, plans and rolls out in team-a only. */
  @Test
  void theOperatorWorksWithinItsNamespacesAndLeavesOthersAlone() throws Exception {
    Opt350mExample.registerNodesAndLinks(env);
    for (String ns : new String[] {WATCHED, UNWATCHED}) {
      Opt350mExample.createProfile(env, ns);
      env.kubectl("apply", "-n", ns, "-f", Opt350mExample.DEPLOYMENT.toString());
    }
    try (SimulatedKubelet kubelet = new SimulatedKubelet(admin, Duration.ofMillis(300));
        DilemmaOperator operator =
            DilemmaOperator.start(
                operatorClient,
                new DilemmaOperator.Options(Optional.empty(), 0, 2, LLMDeploymentReconciler.Settings.defaults(), true, Set.of(WATCHED)))) {
      LLMDeployment ready =
          Await.until("team-a/opt-350m Ready", Duration.ofSeconds(90),
              () -> admin.resources(LLMDeployment.class).inNamespace(WATCHED).withName("opt-350m").get(),
              d -> d.getStatus() != null
                  && d.getStatus().condition("Ready").map(c -> c.getStatus().equals("True")).orElse(false));
      assertThat(ready.getStatus().plan()).isNotNull();
      var secret = admin.secrets().inNamespace(WATCHED).withName(ShardNames.tlsSecret("opt-350m")).get();
      assertThat(secret.getData()).containsKeys(ShardTls.CA_FILE, ShardTls.CERT_FILE, ShardTls.KEY_FILE);
      assertThat(admin.network().v1().networkPolicies().inNamespace(WATCHED).list().getItems())
          .hasSize(ready.getStatus().plan().shards().size());
      assertThat(admin.resources(LLMDeployment.class).inNamespace(UNWATCHED).withName("opt-350m").get().getStatus())
          .isNull();
      assertThat(admin.apps().deployments().inNamespace(UNWATCHED).list().getItems()).isEmpty();
    }
  }
}
