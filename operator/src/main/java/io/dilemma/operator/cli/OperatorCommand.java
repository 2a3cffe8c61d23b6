package io.dilemma.operator.cli;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.PrometheusLinkSource;
import io.dilemma.planinput.InvalidInputException;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dilemma operator}: runs the controllers until the process is stopped. */
@Command(
    name = "operator",
    description = "Run the Dilemma operator against the cluster of the current kubeconfig (or in-cluster).")
public final class OperatorCommand extends DilemmaCommand {
  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config, else in-cluster).")
  Path kubeconfig;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "Reconcile only LLMDeployments in this one namespace (default: all namespaces); with"
          + " --watch-namespaces, in it and in those. Memory held by deployments in other namespaces is then"
          + " not counted.")
  String namespace;

  @Option(names = "--bind-address", defaultValue = DilemmaOperator.ALL_INTERFACES, paramLabel = "IP",
      description = "Address /healthz, /readyz and /metrics listen on; 127.0.0.1 keeps them local (default: ${DEFAULT-VALUE}).")
  String bindAddress;

  @Option(names = "--http-port", defaultValue = "8081", description = "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--leader-election-namespace",
      description = "Enable leader election with Lease " + DilemmaOperator.LEASE_NAME + " in this namespace"
          + " (default: $POD_NAMESPACE when set, else off).")
  String leaseNamespace;

  @Option(names = "--threads", defaultValue = "4", description = "Concurrent reconciles (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--shard-overhead", defaultValue = "256Mi",
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

  @Option(names = "--watch-namespaces", split = ",", paramLabel = "NAMESPACE",
      description = "Reconcile LLMDeployments only in these namespaces, comma-separated (default: all); -n adds"
          + " its namespace to the list, neither overrides the other.")
  java.util.List<String> watchNamespaces = new java.util.ArrayList<>();

  @Option(names = "--allowed-worker-images", split = ",",
      description = "Worker images deployments may run, comma-separated; an entry ending in * allows"
          + " every image it prefixes (default: any image).")
  java.util.List<String> allowedWorkerImages = new java.util.ArrayList<>();

  /**
   * -n names one namespace (kubectl's habit), --watch-namespaces a list (the chart's value); both
   * say "only these", so the operator watches their union, and all namespaces when neither is given.
   */
  java.util.Set<String> watchedNamespaces() {
    java.util.Set<String> watched = new java.util.TreeSet<>(watchNamespaces);
    if (namespace != null) watched.add(namespace);
    return watched;
  }

  @Override
  protected int execute() throws InterruptedException {
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
    KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
    DilemmaOperator operator =
        DilemmaOperator.start(
            client, new DilemmaOperator.Options(lease, httpPort, threads, settings, true, watchedNamespaces(), bindAddress));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }));
    stopped.await();
    return ExitCode.OK;
  }

  /** As kubectl: --kubeconfig wins over $KUBECONFIG and ~/.kube/config, then in-cluster. */
  private Config clientConfig() {
    if (kubeconfig == null) return Config.autoConfigure(null);
    if (!Files.isReadable(kubeconfig)) {
      throw new InvalidInputException(null, "--kubeconfig", kubeconfig + ": no such readable file");
    }
    return Config.fromKubeconfig(kubeconfig.toFile());
  }
}
