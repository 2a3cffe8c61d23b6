package io.dilemma.operator;

import io.dilemma.planner.Planner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;

/** The running operator: both controllers, metrics, health endpoints and optional leader election. */
public final class DilemmaOperator implements AutoCloseable {
  public static final String LEASE_NAME = "dilemma-operator";

  /**
   * @param leaseNamespace when present, only the holder of Lease {@value #LEASE_NAME} there
   *     reconciles, so several replicas are safe
   * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free one, negative disables
   * @param reconcileThreads concurrent reconciles
   */
  public record Options(
      Optional<String> leaseNamespace,
      int httpPort,
      int reconcileThreads,
      LLMDeploymentReconciler.Settings settings) {
    public static Options defaults() {
      return new Options(Optional.empty(), -1, 4, LLMDeploymentReconciler.Settings.defaults());
    }
  }

  private final Operator operator;
  private final OperatorHttpServer http;
  private final PrometheusRegistry registry;

  private DilemmaOperator(Operator operator, OperatorHttpServer http, PrometheusRegistry registry) {
    this.operator = operator;
    this.http = http;
    this.registry = registry;
  }

  public static DilemmaOperator start(
      KubernetesClient client, Planner planner, ProfileReduction profiles, Options options) {
    PrometheusRegistry registry = new PrometheusRegistry();
    // Built once: JOSDK may apply the overrider more than once, and metrics register only once.
    JosdkPrometheusMetrics josdkMetrics = new JosdkPrometheusMetrics(registry);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(options.reconcileThreads())
                  .withMetrics(josdkMetrics);
              options
                  .leaseNamespace()
                  .ifPresent(ns -> o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, ns)));
            });
    Clock clock = Clock.systemUTC();
    operator.register(
        new LLMDeploymentReconciler(
            planner, profiles, options.settings(), new MemoryLedger(), new OperatorMetrics(registry), clock));
    operator.register(new EdgeLinkReconciler(clock));
    OperatorHttpServer http = null;
    try {
      if (options.httpPort() >= 0) http = new OperatorHttpServer(options.httpPort(), operator, registry);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health and metrics on port " + options.httpPort(), e);
    }
    operator.start();
    return new DilemmaOperator(operator, http, registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public Optional<Integer> httpPort() {
    return Optional.ofNullable(http).map(OperatorHttpServer::port);
  }

  @Override
  public void close() {
    operator.stop();
    if (http != null) http.close();
  }
}
