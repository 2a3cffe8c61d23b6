package io.dilemma.operator.cli;

import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.PrometheusLinkSource;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dilemma operator}: runs the controllers until the process is stopped. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = "Run the Dilemma operator against the cluster of the current kubeconfig (or in-cluster).")
public final class OperatorCommand implements Callable<Integer> {
  @Option(names = "--http-port", defaultValue = "8081", description = "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--leader-election-namespace",
      description = "Enable leader election with Lease " + DilemmaOperator.LEASE_NAME + " in this namespace"
          + " (default: $POD_NAMESPACE when set, else off).")
  String leaseNamespace;

  @Option(names = "--threads", defaultValue = "4", description = "Concurrent reconciles (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--shard-overhead", defaultValue = "128Mi",
      description = "Memory a shard-worker needs beyond its planned weights and KV cache (default: ${DEFAULT-VALUE}).")
  String shardOverhead;

  @Option(names = "--edge-link-ttl", defaultValue = "600",
      description = "Seconds an EdgeLink measurement stays trusted (default: ${DEFAULT-VALUE}).")
  long edgeLinkTtlSeconds;

  @Option(names = "--stale-link-mbps", defaultValue = "1",
      description = "Bandwidth assumed for a stale EdgeLink, Mbit/s (default: ${DEFAULT-VALUE}).")
  double staleLinkMbps;

  @Option(names = "--stale-link-rtt-ms", defaultValue = "100",
      description = "Round-trip time assumed for a stale EdgeLink, ms (default: ${DEFAULT-VALUE}).")
  double staleLinkRttMs;

  @Option(names = "--link-metrics-url",
      description = "Prometheus base URL; its link measurements replace EdgeLinks per direction (default: off).")
  java.net.URI linkMetricsUrl;

  @Option(names = "--link-bandwidth-query", defaultValue = PrometheusLinkSource.DEFAULT_BANDWIDTH_QUERY,
      description = "PromQL giving Mbit/s per from,to label pair (default: ${DEFAULT-VALUE}).")
  String bandwidthQuery;

  @Option(names = "--link-rtt-query", defaultValue = PrometheusLinkSource.DEFAULT_RTT_QUERY,
      description = "PromQL giving RTT in ms per from,to label pair (default: ${DEFAULT-VALUE}).")
  String rttQuery;

  @Option(names = "--link-metrics-interval", defaultValue = "30",
      description = "Seconds between Prometheus queries (default: ${DEFAULT-VALUE}).")
  long linkMetricsIntervalSeconds;

  @Option(names = "--watch-namespaces", split = ",",
      description = "Reconcile LLMDeployments only in these namespaces, comma-separated (default: all).")
  java.util.List<String> watchNamespaces = new java.util.ArrayList<>();

  @Option(names = "--allowed-worker-images", split = ",",
      description = "Worker images deployments may run, comma-separated; an entry ending in * allows"
          + " every image it prefixes (default: any image).")
  java.util.List<String> allowedWorkerImages = new java.util.ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    long overhead = Quantity.getAmountInBytes(new Quantity(shardOverhead)).longValueExact();
    var settings =
        new LLMDeploymentReconciler.Settings(
            overhead,
            new LinkReading.Freshness(
                Duration.ofSeconds(edgeLinkTtlSeconds), staleLinkMbps * 1e6 / 8, staleLinkRttMs / 2000),
            Optional.ofNullable(linkMetricsUrl)
                .map(url -> new PrometheusLinkSource.Config(url, bandwidthQuery, rttQuery)),
            Duration.ofSeconds(linkMetricsIntervalSeconds),
            new io.dilemma.operator.plan.WorkerImagePolicy(allowedWorkerImages));
    Optional<String> lease =
        Optional.ofNullable(leaseNamespace).or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")));
    KubernetesClient client = new KubernetesClientBuilder().build();
    DilemmaOperator operator =
        DilemmaOperator.start(
            client,
            new CpSatPlanner(),
            ModelCostsFromProfile::toModelCosts,
            new DilemmaOperator.Options(
                lease, httpPort, threads, settings, true, java.util.Set.copyOf(watchNamespaces)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
