package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Two replicas with leader election: one reconciles, the other takes over when it stops. */
class LeaderElectionIT {

  @Test
  void onlyTheLeaseHolderReconcilesAndTheStandbyTakesOver() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start()) {
      KubernetesClient client = env.client();
      var options =
          new DilemmaOperator.Options(Optional.of(ChartRbac.NAMESPACE), 0, 1, LLMDeploymentReconciler.Settings.defaults(), false);
      DilemmaOperator first = DilemmaOperator.start(env.operatorClient(), options);
      DilemmaOperator second = DilemmaOperator.start(env.operatorClient(), options);
      try {
        List<DilemmaOperator> replicas = List.of(first, second);
        Await.until("one replica holding the Lease", Duration.ofSeconds(30),
            () -> replicas.stream().filter(DilemmaOperator::leading).count(), n -> n == 1);
        DilemmaOperator leader = first.leading() ? first : second;
        DilemmaOperator standby = leader == first ? second : first;
        assertThat(get(leader, "/leader")).isEqualTo(200);
        assertThat(get(standby, "/leader")).isEqualTo(503);
        assertThat(get(standby, "/readyz")).as("a standby is ready, or rolling updates stall").isEqualTo(200);
        assertThat(client.leases().inNamespace(ChartRbac.NAMESPACE).withName(DilemmaOperator.LEASE_NAME).get()
            .getSpec().getHolderIdentity()).isNotBlank();

        EdgeLink link = new EdgeLink();
        link.setMetadata(new ObjectMetaBuilder().withName("a--b").build());
        link.setSpec(new EdgeLinkSpec("a", "b", 100, 2));
        client.resource(link).create();
        Await.until("the leader stamping the EdgeLink", Duration.ofSeconds(20),
            () -> client.resources(EdgeLink.class).withName("a--b").get().getStatus(), s -> s.observedAt() != null);
        assertThat(reconciles(standby)).as("reconciles by the standby").isZero();

        leader.close();
        Await.until("the standby taking the Lease", Duration.ofSeconds(60), standby::leading, l -> l);
        assertThat(get(standby, "/leader")).isEqualTo(200);
        client.resources(EdgeLink.class).withName("a--b").edit(l -> {
          l.setSpec(new EdgeLinkSpec("a", "b", 50, 2));
          return l;
        });
        Await.until("the new leader stamping the edited EdgeLink", Duration.ofSeconds(20),
            () -> client.resources(EdgeLink.class).withName("a--b").get().getStatus(),
            s -> Long.valueOf(2).equals(s.observedGeneration()));
        assertThat(reconciles(standby)).isPositive();
      } finally {
        first.close();
        second.close();
      }
    }
  }

  private static int get(DilemmaOperator operator, String path) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort().orElseThrow() + path)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static double reconciles(DilemmaOperator operator) {
    return operator.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("operator_sdk_reconciliations_started"))
        .flatMap(m -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot) m).getDataPoints().stream())
        .mapToDouble(p -> p.getValue())
        .sum();
  }
}
