package io.dilemma.operator;

import io.dilemma.operator.http.JosdkPrometheusMetrics;
import io.dilemma.operator.http.OperatorHttpServer;
import io.dilemma.operator.http.OperatorMetrics;
import io.dilemma.operator.observe.MemoryLedger;
import io.dilemma.operator.observe.ProfileReduction;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.Planner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/** The running operator: both controllers, metrics, health endpoints and optional leader election. */
public final class DilemmaOperator implements AutoCloseable {
  public static final String LEASE_NAME = "dilemma-operator";
  public static final String ALL_INTERFACES = "0.0.0.0";

  /**
   * @param leaseNamespace when present, only the holder of Lease {@value #LEASE_NAME} there
   *     reconciles, so several replicas are safe
   * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free one, negative disables
   * @param reconcileThreads concurrent reconciles
   * @param exitOnLostLease end the process when the Lease is lost (production); off in tests that
   *     run several replicas in one JVM
   * @param watchNamespaces namespaces whose LLMDeployments (and their objects) are reconciled, and
   *     whose memory alone is counted against the nodes; empty for all
   * @param bindAddress the address the HTTP server listens on; 0.0.0.0 for every interface
   */
  public record Options(
      Optional<String> leaseNamespace,
      int httpPort,
      int reconcileThreads,
      LLMDeploymentReconciler.Settings settings,
      boolean exitOnLostLease,
      Set<String> watchNamespaces,
      String bindAddress) {
    /** Every namespace, HTTP on every interface. */
    public Options(
        Optional<String> leaseNamespace,
        int httpPort,
        int reconcileThreads,
        LLMDeploymentReconciler.Settings settings,
        boolean exitOnLostLease) {
      this(leaseNamespace, httpPort, reconcileThreads, settings, exitOnLostLease, Set.of());
    }

    /** These namespaces (empty for all), HTTP on every interface. */
    public Options(
        Optional<String> leaseNamespace,
        int httpPort,
        int reconcileThreads,
        LLMDeploymentReconciler.Settings settings,
        boolean exitOnLostLease,
        Set<String> watchNamespaces) {
      this(leaseNamespace, httpPort, reconcileThreads, settings, exitOnLostLease, watchNamespaces, ALL_INTERFACES);
    }

    public Options {
      watchNamespaces = Set.copyOf(watchNamespaces);
    }

    public static Options defaults() {
      return new Options(Optional.empty(), -1, 4, LLMDeploymentReconciler.Settings.defaults(), true);
    }
  }

  private final Operator operator;
  private final OperatorHttpServer http;
  private final PrometheusRegistry registry;
  private final AtomicBoolean leading;

  private DilemmaOperator(
      Operator operator, OperatorHttpServer http, PrometheusRegistry registry, AtomicBoolean leading) {
    this.operator = operator;
    this.http = http;
    this.registry = registry;
    this.leading = leading;
  }

  /** The production wiring: the CP-SAT planner, model profiles read as the planner's costs. */
  public static DilemmaOperator start(KubernetesClient client, Options options) {
    return start(client, new CpSatPlanner(), ModelCostsFromProfile::toModelCosts, options);
  }

  public static DilemmaOperator start(
      KubernetesClient client, Planner planner, ProfileReduction profiles, Options options) {
    PrometheusRegistry registry = new PrometheusRegistry();
    AtomicBoolean leading = new AtomicBoolean(options.leaseNamespace().isEmpty());
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
                  .ifPresent(ns -> o.withLeaderElectionConfiguration(leaderElection(ns, options, leading)));
            });
    Clock clock = Clock.systemUTC();
    operator.register(
        new LLMDeploymentReconciler(
            planner, profiles, options.settings(), new MemoryLedger(), new OperatorMetrics(registry), clock),
        o -> {
          o.withGenericFilter(
              new UnreadableSpecFilter(
                  (d, problem) ->
                      new EventRecorder(client).emit(d, EventRecorder.Reason.InvalidSpec, true, problem)));
          if (!options.watchNamespaces().isEmpty()) o.settingNamespaces(options.watchNamespaces());
        });
    operator.register(new EdgeLinkReconciler(clock));
    OperatorHttpServer http = null;
    try {
      if (options.httpPort() >= 0) {
        http =
            new OperatorHttpServer(
                new java.net.InetSocketAddress(options.bindAddress(), options.httpPort()),
                operator,
                registry,
                leading::get);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve health and metrics on " + options.bindAddress() + ":" + options.httpPort(), e);
    }
    operator.start();
    return new DilemmaOperator(operator, http, registry, leading);
  }

  /**
   * Lease {@value #LEASE_NAME}: only its holder reconciles. A replica that loses the Lease exits
   * (when {@code exitOnLostLease}), so it cannot keep writing next to the new leader.
   */
  private static LeaderElectionConfiguration leaderElection(
      String namespace, Options options, AtomicBoolean leading) {
    String identity =
        Optional.ofNullable(System.getenv("POD_NAME"))
            .orElseGet(() -> hostname() + "-" + UUID.randomUUID().toString().substring(0, 8));
    return new LeaderElectionConfiguration(
        LEASE_NAME,
        namespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        identity,
        new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), leader -> {}),
        options.exitOnLostLease());
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "dilemma-operator";
    }
  }

  /** True while this replica reconciles: it holds the Lease, or runs without leader election. */
  public boolean leading() {
    return leading.get();
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
