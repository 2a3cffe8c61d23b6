package io.dilemma.observability;

import io.dilemma.localcluster.prometheus.ChartScrapeConfig;
import io.dilemma.localcluster.prometheus.PodDiscoveryEndpoint;
import io.dilemma.localcluster.prometheus.PrometheusServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.marcnuri.helm.Helm;
import io.dilemma.api.LLMDeployment;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.bench.TestApiServer;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.rollout.ShardNames;
import io.dilemma.operator.rollout.ShardResources;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.serving.launch.LocalPipeline;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 10, "a real Prometheus in the loop", on one machine: Debian's Prometheus on loopback
 * discovers, through the chart's documented scrape config and the pods of a real kube-apiserver, the
 * operator (planning the OPT-350m example on its five nodes), three real shard-worker processes
 * serving a synthesised OPT and a real prober, by the annotations the chart and the operator's
 * pod builder write. Completion times measured by the client agree with the histogram quantile
 * Prometheus computes from dilemma_completion_seconds, and every panel query of the chart's
 * Grafana dashboard returns data.
 *
 * <p>The API server has no kubelets: the shard-worker processes serve as the example
 * deployment's shards (same namespace and name), and their pods are registered by hand from the
 * operator's own pod builder, Running at 127.0.0.1. The plan's figures are for the example's
 * machines, so its prediction and these measurements are not compared here; that is the
 * experiment's business.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
  private static final Path REPO = repo();
  private static final Path CHART = REPO.resolve("helm/dilemma");
  private static final Path EXAMPLES = REPO.resolve("deploy/examples");
  private static final Path WORK = Path.of("target", "prometheus-it").toAbsolutePath();
  private static final String SYSTEM = "dilemma-system";
  private static final String NAMESPACE = "demo";
  private static final String DEPLOYMENT = "opt-350m";
  private static final long OVERHEAD = 128L << 20;
  private static final int REQUESTS = 40;
  private static final double SCRAPE_SECONDS = 1;
  private static final Map<String, String> PROBER_LABELS = Map.of(
      "app.kubernetes.io/name", "dilemma", "app.kubernetes.io/instance", "dilemma", "app.kubernetes.io/component", "prober");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private static TestApiServer api;
  private static SimulatedKubelet kubelet;
  private static DilemmaOperator operator;
  private static LocalPipeline pipeline;
  private static ProberProcess prober;
  private static PodDiscoveryEndpoint discovery;
  private static PrometheusServer prometheus;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** When the measured requests started and ended, and what the client measured (seconds). */
  private static double measuredFrom;
  private static double measuredTo;
  private static final List<Double> clientSeconds = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Optional<Path> binary = PrometheusServer.binary();
    Assumptions.assumeTrue(binary.isPresent(),
        "PrometheusIT skipped: no prometheus binary on PATH (Debian: apt-get install prometheus; .ci/run installs it)");
    Files.createDirectories(WORK);
    api = TestApiServer.start();
    api.installCrds();
    KubernetesClient client = api.client();
    for (String ns : List.of(SYSTEM, NAMESPACE)) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    Path kubeconfig = WORK.resolve("kubeconfig.yaml");
    Files.writeString(kubeconfig, api.kubeConfigYaml());

    kubelet = new SimulatedKubelet(client, Duration.ZERO);
    operator = DilemmaOperator.start(client, new CpSatPlanner(), ModelCostsFromProfile::toModelCosts,
        new DilemmaOperator.Options(Optional.empty(), 0, 2,
            new LLMDeploymentReconciler.Settings(OVERHEAD, LinkReading.Freshness.defaults()), true, Set.of(), DiscoverablePods.LOOPBACK));
    LLMDeployment example = applyExample(client);

    Path model = WORK.resolve("opt-tiny");
    if (!Files.exists(model.resolve("manifest.json"))) {
      ModelSynthesis.write(model, "opt-tiny", OptPreset.OPT_TINY.dimensions(), 1, List.of(32), layer -> {});
    }
    pipeline = LocalPipeline.launch(model,
        new LocalPipeline.Layout(3, OptPreset.OPT_TINY.dimensions().layers(), 32, ShardPlan.CutQuantization.none(), true,
            new ShardPlan.ServingLimits(64L << 20, 60, 5000)),
        WORK.resolve("shards"), new LocalPipeline.Owner(NAMESPACE, DEPLOYMENT));

    int probePort = freePort();
    int proberMetricsPort = freePort();
    for (String node : List.of("probe-a", "probe-b")) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
          .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi"))).endStatus().build()).create();
    }
    registerPods(client, example, probePort, proberMetricsPort);
    prober = ProberProcess.start(kubeconfig, "probe-a", SYSTEM, PROBER_LABELS, probePort, proberMetricsPort, WORK.resolve("prober.log"));
    // its compute benchmark runs first; once published, the probe loop has started
    await(Duration.ofSeconds(60), "the prober's compute published", () -> {
      assertThat(prober.alive()).as(prober.exit()).isTrue();
      return client.nodes().withName("probe-a").get().getMetadata().getLabels();
    }, labels -> labels != null && labels.containsKey("dilemma.io/gflops"));

    Path config = WORK.resolve("prometheus.yml");
    discovery = new PodDiscoveryEndpoint(client);
    Files.writeString(config, ChartScrapeConfig.withHttpDiscovery(CHART, discovery.url(), "1s"));
    prometheus = PrometheusServer.start(binary.get(), config, WORK.resolve("prometheus"));
    System.out.printf(Locale.ROOT, "Prometheus at %s, config %s%n", prometheus.url(), config);
  }

  /** The OPT-350m example as in its instructions: nodes, EdgeLinks, the profile and the LLMDeployment. */
  private static LLMDeployment applyExample(KubernetesClient client) throws Exception {
    ExampleNodes.register(client, EXAMPLES.resolve("opt-350m-edge/cluster.yaml"), OVERHEAD);
    client.load(Files.newInputStream(EXAMPLES.resolve("opt-350m-edgelinks.yaml"))).serverSideApply();
    client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata().withName("opt-350m-profile").endMetadata()
        .withData(Map.of("profile.json", Files.readString(EXAMPLES.resolve("opt-350m-edge/profile.json")))).build()).create();
    LLMDeployment example = client.resources(LLMDeployment.class)
        .load(Files.newInputStream(EXAMPLES.resolve("opt-350m-llmdeployment.yaml"))).item();
    example.getMetadata().setNamespace(NAMESPACE);
    client.resource(example).create();
    return await(Duration.ofMinutes(3), "the example planned and Ready",
        () -> client.resources(LLMDeployment.class).inNamespace(NAMESPACE).withName(DEPLOYMENT).get(),
        d -> d != null && d.getStatus() != null && d.getStatus().plan() != null
            && d.getStatus().condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
  }

  /**
   * The pods Prometheus discovers: the operator's and the prober's from the chart's templates as
   * rendered (their ports set to where the processes listen), a second prober pod standing for the
   * peer node (its probe server is the one prober's, on loopback; not scraped twice), and one per
   * shard-worker process from the operator's own pod builder.
   */
  private static void registerPods(KubernetesClient client, LLMDeployment owner, int probePort, int proberMetricsPort) {
    String rendered = new Helm(CHART).template().withName("dilemma").withNamespace(SYSTEM)
        .set("operator.httpPort", operator.httpPort().orElseThrow())
        .set("prober.enabled", true).set("prober.port", probePort).set("prober.metricsPort", proberMetricsPort).call();
    List<HasMetadata> objects = client.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
    PodTemplateSpec operatorPod = objects.stream().filter(Deployment.class::isInstance).map(o -> ((Deployment) o).getSpec().getTemplate())
        .findFirst().orElseThrow();
    PodTemplateSpec proberPod = objects.stream().filter(DaemonSet.class::isInstance).map(o -> ((DaemonSet) o).getSpec().getTemplate())
        .findFirst().orElseThrow();
    DiscoverablePods pods = new DiscoverablePods(client);
    pods.run(SYSTEM, "dilemma-operator-0", "pi5-gateway", operatorPod, null);
    pods.run(SYSTEM, "dilemma-prober-probe-a", "probe-a", proberPod, null);
    PodTemplateSpec peer = new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(proberPod)
        .editMetadata().addToAnnotations("prometheus.io/scrape", "false").endMetadata().build();
    pods.run(SYSTEM, "dilemma-prober-probe-b", "probe-b", peer, null);
    ShardResources builder = new ShardResources(OVERHEAD);
    for (int shard = 0; shard < 3; shard++) {
      ShardPlan plan = pipeline.plan(shard);
      var objectsOfShard = builder.shard(owner, plan, 1000);
      pods.run(NAMESPACE, objectsOfShard.deployment().getMetadata().getName() + "-0", plan.node(),
          objectsOfShard.deployment().getSpec().getTemplate(), pipeline.shardUrl(shard, "/metrics").getPort());
    }
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {prometheus, discovery, prober, pipeline, operator, kubelet, api}) {
      if (c == null) continue;
      try {
        c.close();
      } catch (Exception e) {
        System.out.println("closing " + c + ": " + e);
      }
    }
  }

  @Test
  @Order(1)
  void prometheusDiscoversAndScrapesTheOperatorEveryShardWorkerAndTheProber() throws Exception {
    JsonNode targets = await(Duration.ofSeconds(90), "five targets up (operator, 3 shard-workers, prober)",
        () -> prometheus.activeTargets(),
        t -> t.size() == 5 && all(t, target -> target.path("health").asText().equals("up")));
    Map<String, String> componentByPod = new HashMap<>();
    for (JsonNode target : targets) {
      JsonNode labels = target.get("labels");
      componentByPod.put(labels.path("kubernetes_namespace").asText() + "/" + labels.path("kubernetes_pod").asText(),
          labels.path("component").asText());
      assertThat(labels.has("namespace")).as("target labels %s", labels).isFalse();
    }
    String planId = pipeline.plan(0).planId();
    assertThat(componentByPod).containsEntry(SYSTEM + "/dilemma-operator-0", "operator")
        .containsEntry(SYSTEM + "/dilemma-prober-probe-a", "prober")
        .containsEntry(NAMESPACE + "/" + ShardNames.shard(DEPLOYMENT, planId, 0) + "-0", "head")
        .containsEntry(NAMESPACE + "/" + ShardNames.shard(DEPLOYMENT, planId, 1) + "-0", "worker")
        .containsEntry(NAMESPACE + "/" + ShardNames.shard(DEPLOYMENT, planId, 2) + "-0", "worker");
    assertThat(prober.alive()).as(prober.exit()).isTrue();
  }

  /**
   * One request first, scraped before the measured ones: the series then exists, so a difference
   * over the measured window counts exactly the measured requests. Then {@value #REQUESTS} requests
   * with outputs of 8 to 40 tokens, so completion times spread over several buckets. Once per run,
   * whichever test needs it first.
   */
  private static synchronized void measure() throws Exception {
    if (!clientSeconds.isEmpty()) return;
    String series = "dilemma_completion_seconds_count{namespace=\"" + NAMESPACE + "\",deployment=\"" + DEPLOYMENT + "\"}";
    assertThat(complete(8, 8)).isPositive();
    await(Duration.ofSeconds(30), "the first completion scraped", () -> value(series), v -> v >= 1);
    double before = value(series);
    measuredFrom = now();
    SplittableRandom random = new SplittableRandom(10);
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) times.add(complete(4 + random.nextInt(12), 8 + 8 * (i % 5)));
    await(Duration.ofSeconds(30), "every measured completion scraped", () -> value(series), v -> v >= before + REQUESTS);
    measuredTo = now();
    clientSeconds.addAll(times);
  }

  @Test
  @Order(2)
  void theCompletionHistogramsMedianAgreesWithTheClientsWithinItsBucketResolution() throws Exception {
    measure();
    String selector = "{namespace=\"" + NAMESPACE + "\",deployment=\"" + DEPLOYMENT + "\"}";
    String window = Math.round((measuredTo - measuredFrom) * 1000) + "ms";
    String measured = "sum by (le) (dilemma_completion_seconds_bucket" + selector + ")"
        + " - sum by (le) (dilemma_completion_seconds_bucket" + selector + " offset " + window + ")";
    double p50 = scalar(prometheus.query("histogram_quantile(0.5, " + measured + ")", measuredTo));
    double p90 = scalar(prometheus.query("histogram_quantile(0.9, " + measured + ")", measuredTo));
    double count = scalar(prometheus.query("sum(dilemma_completion_seconds_count" + selector + ") - sum(dilemma_completion_seconds_count" + selector + " offset " + window + ")", measuredTo));
    double serverMean = scalar(prometheus.query("(sum(dilemma_completion_seconds_sum" + selector + ") - sum(dilemma_completion_seconds_sum" + selector + " offset " + window + ")) / " + count, measuredTo));

    double clientMedian = quantile(clientSeconds, 0.5);
    double clientP90 = quantile(clientSeconds, 0.9);
    double clientMean = clientSeconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf(Locale.ROOT,
        "%d completions: client median %.4f s, p90 %.4f s, mean %.4f s; Prometheus histogram_quantile p50 %.4f s (bucket %s), p90 %.4f s; server-side mean %.4f s%n",
        REQUESTS, clientMedian, clientP90, clientMean, p50, bucket(clientMedian), p90, serverMean);
    assertThat(count).isEqualTo(REQUESTS);
    double resolution = Math.max(width(clientMedian), width(p50));
    assertThat(Math.abs(p50 - clientMedian))
        .as("Prometheus p50 %.4f s vs client median %.4f s, resolution %.4f s", p50, clientMedian, resolution)
        .isLessThanOrEqualTo(resolution);
    // the head measures less than the client (no HTTP on the loopback), never more
    assertThat(serverMean).isLessThanOrEqualTo(clientMean).isGreaterThan(clientMean * 0.5);
  }

  @Test
  @Order(3)
  void everyPanelAndVariableOfTheChartsDashboardReturnsData() throws Exception {
    measure();
    DashboardQueries dashboard = DashboardQueries.read(CHART.resolve("dashboards/dilemma.json"));
    assertThat(dashboard.panels()).hasSizeGreaterThanOrEqualTo(8);
    // the window a rate looks back over: long enough to hold the measured requests
    String rateWindow = Math.max(60, Math.round(now() - measuredFrom) + 10) + "s";
    Map<String, String> chosen = Map.of("namespace", NAMESPACE, "deployment", DEPLOYMENT, "__rate_interval", rateWindow);
    Map<String, String> all = Map.of("namespace", ".*", "deployment", ".*", "__rate_interval", rateWindow);
    for (DashboardQueries.Variable variable : dashboard.variables()) {
      List<String> values = prometheus.labelValues(variable.label(), variable.expandedSelector(all));
      assertThat(values).as("variable %s", variable.name()).contains(chosen.get(variable.name()));
    }
    double at = now();
    List<String> empty = new ArrayList<>();
    for (DashboardQueries.PanelQuery panel : dashboard.panels()) {
      for (Map<String, String> values : List.of(chosen, all)) {
        String expr = panel.expand(values);
        JsonNode result = prometheus.query(expr, at);
        boolean data = result.size() > 0 && any(result, r -> Double.isFinite(r.at("/value/1").asDouble(Double.NaN)));
        System.out.printf(Locale.ROOT, "%-40s %s %s: %d series%s%n", panel.panel(), panel.refId(),
            values == chosen ? "chosen" : "All   ", result.size(), data ? ", e.g. " + result.get(0).at("/value/1").asText() : "");
        if (!data) empty.add(panel.panel() + " " + panel.refId() + ": " + expr);
      }
    }
    assertThat(empty).as("panel queries without data").isEmpty();
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** One completion at the head, timed by the client; seconds. */
  private static double complete(int promptTokens, int maxTokens) throws Exception {
    ObjectNode body = new ObjectMapper().createObjectNode();
    var prompt = body.putArray("prompt");
    new SplittableRandom(promptTokens * 31L + maxTokens).longs(promptTokens, 4, OptPreset.OPT_TINY.dimensions().vocabSize()).forEach(prompt::add);
    body.put("max_tokens", maxTokens).put("temperature", 0);
    URI url = pipeline.headUrl("/v1/completions");
    long started = System.nanoTime();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return seconds;
  }

  private static double value(String promql) throws Exception {
    JsonNode result = prometheus.query("sum(" + promql + ")", now());
    return result.isEmpty() ? 0 : result.get(0).at("/value/1").asDouble();
  }

  private static double scalar(JsonNode result) {
    assertThat(result).as("query result").hasSize(1);
    return result.get(0).at("/value/1").asDouble();
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  /** The completion bucket holding {@code seconds}, as "(lo, hi]". */
  private static String bucket(double seconds) {
    double[] bounds = ServingMetrics.COMPLETION_BUCKETS;
    double lo = 0;
    for (double hi : bounds) {
      if (seconds <= hi) return "(" + lo + ", " + hi + "]";
      lo = hi;
    }
    return "(" + lo + ", +Inf)";
  }

  /** Width of the completion bucket holding {@code seconds}: what a histogram quantile can resolve there. */
  private static double width(double seconds) {
    double lo = 0;
    for (double hi : ServingMetrics.COMPLETION_BUCKETS) {
      if (seconds <= hi) return hi - lo;
      lo = hi;
    }
    return Double.POSITIVE_INFINITY;
  }

  private static double quantile(List<Double> values, double q) {
    List<Double> sorted = values.stream().sorted().toList();
    double rank = q * (sorted.size() - 1);
    int below = (int) Math.floor(rank);
    int above = Math.min(below + 1, sorted.size() - 1);
    return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
  }

  private static boolean all(JsonNode array, Predicate<JsonNode> test) {
    for (JsonNode node : array) if (!test.test(node)) return false;
    return true;
  }

  private static boolean any(JsonNode array, Predicate<JsonNode> test) {
    for (JsonNode node : array) if (test.test(node)) return true;
    return false;
  }

  private static <T> T await(Duration timeout, String what, Callable<T> probe, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.call();
      if (last != null && done.test(last)) return last;
      Thread.sleep(Math.round(SCRAPE_SECONDS * 250));
    }
    throw new AssertionError("not " + what + " after " + timeout.toSeconds() + " s; last: " + last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find helm/dilemma above the working directory");
    return dir;
  }
}
