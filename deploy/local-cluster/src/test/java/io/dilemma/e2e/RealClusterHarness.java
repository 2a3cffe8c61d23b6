package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every end-to-end class on a real Kubernetes shares: the chart installed with helm, the
 * operator and shard-workers running from the project's images, model files delivered by a
 * model-store pod over HTTP (hash-checked twice: by the store at start-up and by each worker after
 * download), one LLMDeployment per scenario in its own namespace (so each scenario runs alone), a
 * client load, and the polling and reporting helpers.
 *
 * <p>Measured times are printed and appended to target/e2e-timings.txt; they are reported, never
 * asserted (the machine is shared).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealClusterHarness {
  static final Path REPO = repo();
  static final String SYSTEM_NAMESPACE = "dilemma-system";
  static final String MODELS_NAMESPACE = "dilemma-models";
  static final String RELEASE = "dilemma";
  static final String ORIGIN = "pi5-gateway";
  static final List<String> NODES = List.of("pi5-gateway", "pi5-media", "jetson-orin-nano", "nuc-i5", "cloud-a10");
  // prompts whose greedy continuation changes token part-way, so an off-by-one or a corrupted
  // activation shows (the synthesised model tends to repeat)
  static final long[] PROMPT = {2, 100, 37, 5};
  static final long[] SECOND_PROMPT = {2, 9, 480, 17, 260, 33};
  static final int MAX_TOKENS = 12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  ClusterTarget target;
  KubernetesClient client;
  ModelFixture model;
  long[] reference;
  long[] secondReference;
  String modelUrl;
  String originGflopsBefore;

  /** Starts or connects to the cluster; aborts (skips) the class when it is not available here. */
  abstract ClusterTarget startTarget() throws Exception;

  /** Chart values a class sets beyond the images' and the EdgeLink TTL (set after these, so they win). */
  Map<String, Object> chartValues() {
    return Map.of();
  }

  @BeforeAll
  void installEverything() throws Exception {
    target = startTarget();
    client = target.client();
    Path work = Files.createDirectories(REPO.resolve("deploy/local-cluster/target/e2e"));
    model = ModelFixture.create(REPO, work);
    reference = model.reference(PROMPT, MAX_TOKENS);
    secondReference = model.reference(SECOND_PROMPT, MAX_TOKENS);
    installChart();
    modelUrl = deployModelStore();
    applyEdgeLinks();
    // A busy gateway: its CPU is taken by other work, so the planner moves the decoder layers off
    // the origin and the chain spans nodes. The embedding stays there (keepTokensOnOrigin).
    originGflopsBefore = client.nodes().withName(ORIGIN).get().getMetadata().getLabels().get("dilemma.io/gflops");
    label(ORIGIN, "dilemma.io/gflops", "0.05");
  }

  @AfterAll
  void uninstall() throws Exception {
    if (target == null) return;
    try {
      if (originGflopsBefore != null) label(ORIGIN, "dilemma.io/gflops", originGflopsBefore);
      deleteNamespace(MODELS_NAMESPACE);
      Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(target.kubeconfig()).ignoreNotFound().call();
      deleteNamespace(SYSTEM_NAMESPACE);
    } finally {
      target.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // one LLMDeployment in its own namespace
  // ---------------------------------------------------------------------------------------------

  final class Scenario implements AutoCloseable {
    final String namespace;
    final String name = ModelFixture.NAME;
    private URI headUrl;

    Scenario(String namespace) throws Exception {
      this.namespace = namespace;
      deleteNamespace(namespace);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
      client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
          .withNewMetadata().withName(name + "-profile").endMetadata()
          .withData(Map.of("profile.json", model.profileJson())).build()).create();
    }

    void apply() {
      apply(1);
    }

    /** The LLMDeployment, planned for {@code concurrency} sessions decoding at once. */
    void apply(int concurrency) {
      String yaml = """
          apiVersion: dilemma.io/v1alpha1
          kind: LLMDeployment
          metadata:
            name: %s
            namespace: %s
          spec:
            model:
              name: %s
              profile:
                name: %s-profile
              source:
                url: %s
                # the model store is a pod of this cluster on plain HTTP; its files are hash-checked
                insecure: true
            workload:
              promptTokens: 256
              outputTokens: 32
              concurrency: %s
            quality:
              metric: normalizedError
              budget: 1.0
            allowedBits: [16]
            # lossless cuts, so the chain must serve exactly the single-process tokens
            cutPrecision: full
            placement:
              nodeSelector:
                dilemma.io/pool: office
              originNode: %s
              keepTokensOnOrigin: true
            replanPolicy:
              minRelativeImprovement: 0.02
              stabilizationWindowSeconds: 5
            solver:
              timeLimitSeconds: 3
            worker:
              image: dilemma/shard-worker:%s
          """.formatted(name, namespace, ModelFixture.NAME, name, modelUrl, concurrency, ORIGIN, target.imageTag());
      LLMDeployment d = client.resources(LLMDeployment.class)
          .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
      client.resource(d).create();
    }

    LLMDeployment get() {
      return client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
    }

    /** Ready=True with the serving plan equal to the desired one; returns that plan. */
    PlanStatus awaitReady(Duration timeout) {
      return poll(timeout, "LLMDeployment " + namespace + "/" + name + " Ready", () -> {
        LLMDeployment d = get();
        if (d == null || d.getStatus() == null || d.getStatus().plan() == null) return null;
        var st = d.getStatus();
        boolean ready = conditionTrue(d, "Ready") && st.plan().planId().equals(st.servingPlanId())
            && "AllShardsAvailable".equals(condition(d, "Ready").map(Condition::getReason).orElse(""));
        return ready ? st.plan() : null;
      }, () -> describe() + operatorLogs());
    }

    /**
     * A plan other than {@code oldPlanId} is the desired and the serving one, with Ready=True; with
     * {@code oldGone}, no pod of the old plan is left either. {@code onEachLook} sees every read.
     */
    PlanStatus awaitNewPlanServing(String oldPlanId, boolean oldGone, String what, java.util.function.Consumer<LLMDeployment> onEachLook) {
      return poll(Duration.ofMinutes(6), what, () -> {
        LLMDeployment d = get();
        onEachLook.accept(d);
        var st = d == null ? null : d.getStatus();
        return st != null && st.plan() != null && !st.plan().planId().equals(oldPlanId)
            && st.plan().planId().equals(st.servingPlanId()) && conditionTrue(d, "Ready")
            && (!oldGone || shardPods(oldPlanId).isEmpty()) ? st.plan() : null;
      }, () -> describe() + operatorLogs());
    }

    PlanStatus awaitNewPlanServing(String oldPlanId, boolean oldGone, String what) {
      return awaitNewPlanServing(oldPlanId, oldGone, what, d -> {});
    }

    List<Pod> pods() {
      return client.pods().inNamespace(namespace).withLabel("dilemma.io/deployment", name).list().getItems();
    }

    List<Pod> shardPods(String planId) {
      return client.pods().inNamespace(namespace)
          .withLabels(Map.of("dilemma.io/deployment", name, "dilemma.io/plan", planId)).list().getItems();
    }

    Pod shardPod(String planId, int index) {
      List<Pod> pods = client.pods().inNamespace(namespace).withLabels(Map.of(
          "dilemma.io/deployment", name, "dilemma.io/plan", planId, "dilemma.io/shard", Integer.toString(index)))
          .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
      assertThat(pods).as("pods of shard %d of plan %s", index, planId).hasSize(1);
      return pods.get(0);
    }

    List<HasMetadata> owned() {
      List<HasMetadata> owned = new ArrayList<>();
      var selector = Map.of("dilemma.io/deployment", name);
      owned.addAll(client.apps().deployments().inNamespace(namespace).withLabels(selector).list().getItems());
      owned.addAll(client.services().inNamespace(namespace).withLabels(selector).list().getItems());
      owned.addAll(client.configMaps().inNamespace(namespace).withLabels(selector).list().getItems());
      return owned;
    }

    /** One greedy completion through the head Service, the way a client calls it. */
    long[] complete(long[] prompt, int maxTokens) throws Exception {
      return complete(HTTP, prompt, maxTokens);
    }

    long[] complete(HttpClient http, long[] prompt, int maxTokens) throws Exception {
      URI url = headUrl().resolve("/v1/completions");
      var body = JSON.createObjectNode();
      var ids = body.putArray("prompt");
      for (long id : prompt) ids.add(id);
      body.put("max_tokens", maxTokens).put("temperature", 0);
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + response.statusCode() + " from " + url + ": " + response.body());
      }
      JsonNode tokens = JSON.readTree(response.body()).path("choices").path(0).path("tokens");
      long[] out = new long[tokens.size()];
      for (int i = 0; i < out.length; i++) out[i] = tokens.get(i).asLong();
      return out;
    }

    /**
     * The head Service's address, read once: it outlives every plan (replans switch its selector),
     * and a client keeps calling it while the API server is down.
     */
    synchronized URI headUrl() throws Exception {
      if (headUrl == null) {
        Service head = client.services().inNamespace(namespace).withName(name).get();
        assertThat(head).as("head Service %s/%s", namespace, name).isNotNull();
        headUrl = target.serviceUrl(head, 80);
      }
      return headUrl;
    }

    /**
     * Waits until the head Service takes connections after Ready, and returns the first completion.
     * kube-proxy programs the Service's rules from its endpoints a moment after the pods are Ready
     * (seen: a refused connection on the very first request after a fresh `up`); only a refused
     * connection is retried, for at most 20 s, and the wait is reported.
     */
    long[] awaitServing() {
      Instant readyAt = Instant.now();
      long[] served = poll(Duration.ofSeconds(20), "the head Service accepting connections", () -> {
        try {
          return complete(PROMPT, MAX_TOKENS);
        } catch (java.net.ConnectException refused) {
          return null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      report("Ready -> head Service accepts the first connection", Duration.between(readyAt, Instant.now()));
      return served;
    }

    /**
     * A streamed completion through the head Service: calls {@code onFirstToken} when the first
     * token event arrives, and returns how the stream ended: normally, with an error event, or
     * cut off. Reading is capped at {@code cap}, so a hanging stream shows as such.
     */
    StreamOutcome stream(long[] prompt, int maxTokens, Runnable onFirstToken, Duration cap) throws Exception {
      URI url = headUrl().resolve("/v1/completions");
      var body = JSON.createObjectNode();
      var ids = body.putArray("prompt");
      for (long id : prompt) ids.add(id);
      body.put("max_tokens", maxTokens).put("temperature", 0).put("stream", true);
      Instant sent = Instant.now();
      var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        int tokens = 0;
        try {
          HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(
              HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
              HttpResponse.BodyHandlers.ofLines());
          if (response.statusCode() != 200) {
            return new StreamOutcome(tokens, "HTTP " + response.statusCode(), null, Duration.between(sent, Instant.now()));
          }
          var lines = response.body().iterator();
          while (lines.hasNext()) {
            String line = lines.next();
            if (!line.startsWith("data: ")) continue;
            String data = line.substring("data: ".length());
            if (data.equals("[DONE]")) return new StreamOutcome(tokens, "done", null, Duration.between(sent, Instant.now()));
            JsonNode event = JSON.readTree(data);
            if (event.has("error")) return new StreamOutcome(tokens, "error event", event.get("error"), Duration.between(sent, Instant.now()));
            if (event.path("choices").path(0).path("tokens").size() > 0 && tokens++ == 0) onFirstToken.run();
          }
          return new StreamOutcome(tokens, "cut off", null, Duration.between(sent, Instant.now()));
        } catch (Exception e) {
          return new StreamOutcome(tokens, "failed: " + e, null, Duration.between(sent, Instant.now()));
        }
      });
      try {
        return reading.get(cap.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException hung) {
        reading.cancel(true);
        return new StreamOutcome(-1, "hung past " + cap.toSeconds() + " s", null, cap);
      }
    }

    /** One Prometheus sample summed over a pod's metrics endpoint (its scrape annotations). */
    double podMetric(Pod pod, String metric) throws Exception {
      var annotations = pod.getMetadata().getAnnotations();
      URI url = URI.create("http://" + pod.getStatus().getPodIP() + ":" + annotations.get("prometheus.io/port")
          + annotations.getOrDefault("prometheus.io/path", "/metrics"));
      String text = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return text.lines()
          .filter(l -> l.startsWith(metric + " ") || l.startsWith(metric + "{"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    }

    String describe() {
      LLMDeployment d = get();
      StringBuilder b = new StringBuilder("status: ").append(d == null ? "(gone)" : d.getStatus()).append('\n');
      for (Pod p : pods()) {
        b.append("pod ").append(p.getMetadata().getName()).append(" on ").append(p.getSpec().getNodeName())
            .append(": ").append(p.getStatus().getPhase()).append(' ').append(p.getStatus().getConditions())
            .append(' ').append(p.getStatus().getContainerStatuses()).append('\n');
      }
      return b.toString();
    }

    @Override
    public void close() throws Exception {
      LLMDeployment d = get();
      if (d != null) {
        client.resource(d).delete();
        poll(Duration.ofMinutes(2), "LLMDeployment deleted", () -> get() == null ? Boolean.TRUE : null, RealClusterHarness.this::operatorLogs);
      }
      deleteNamespace(namespace);
    }
  }

  /**
   * Completions back to back from client threads (one session each), counting failures and
   * recording each completion's time, on one HTTP/1.1 client whose keep-alive connections are
   * reused, as an OpenAI client's are. Such a connection stays pinned (conntrack) to the head pod
   * it first reached; when that pod is being stopped its preStop hook has it answer with
   * {@code Connection: close}, so the next request reconnects through the Service to the new head
   * instead of failing on a closing connection.
   */
  static final class Load {
    final Scenario scenario;
    final int sessions;
    final int maxTokens;
    final long pauseMillis;
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Milliseconds from send to the whole answer, of every successful completion. */
    final List<Long> millis = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean running = new AtomicBoolean();
    final HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
    final List<Thread> threads = new ArrayList<>();
    Instant started;
    Instant stopped;

    /** One session of 4-token completions, 100 ms apart: a light, steady probe of serving. */
    Load(Scenario scenario) {
      this(scenario, 1, 4, 100);
    }

    Load(Scenario scenario, int sessions, int maxTokens, long pauseMillis) {
      this.scenario = scenario;
      this.sessions = sessions;
      this.maxTokens = maxTokens;
      this.pauseMillis = pauseMillis;
    }

    void start() {
      running.set(true);
      started = Instant.now();
      for (int i = 0; i < sessions; i++) {
        Thread thread = new Thread(this::run, "e2e-load-" + i);
        threads.add(thread);
        thread.start();
      }
    }

    private void run() {
      while (running.get()) {
        long sent = System.nanoTime();
        try {
          scenario.complete(client, PROMPT, maxTokens);
          ok.incrementAndGet();
          millis.add((System.nanoTime() - sent) / 1_000_000);
        } catch (Exception e) {
          failed.incrementAndGet();
          if (errors.size() < 10) errors.add(Instant.now() + " after " + (System.nanoTime() - sent) / 1_000_000 + " ms: " + e);
        }
        try {
          if (pauseMillis > 0) Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) thread.join(60_000);
      if (stopped == null && started != null) stopped = Instant.now();
    }

    /** The q-quantile (0..1) of the successful completions' times, in milliseconds. */
    long quantileMillis(double q) {
      List<Long> sorted;
      synchronized (millis) {
        sorted = millis.stream().sorted().toList();
      }
      if (sorted.isEmpty()) return -1;
      int rank = Math.max(0, (int) Math.ceil(q * sorted.size()) - 1);
      return sorted.get(Math.min(sorted.size() - 1, rank));
    }

    double completionsPerSecond() {
      Instant end = stopped == null ? Instant.now() : stopped;
      return ok.get() / Math.max(0.001, Duration.between(started, end).toMillis() / 1000.0);
    }
  }

  /** How a streamed completion ended; {@code error} is the error event's object, if one came. */
  record StreamOutcome(int tokens, String ending, JsonNode error, Duration took) {}

  /** Watches a rollout: were all new-plan shards Ready at a moment the old plan's pods still ran? */
  static final class Timeline {
    boolean newPlanAllReadyWhileOldExisted;

    void observe(Scenario s, String oldPlan, LLMDeployment d) {
      if (d == null || d.getStatus() == null || d.getStatus().plan() == null) return;
      String newPlan = d.getStatus().plan().planId();
      if (newPlan.equals(oldPlan)) return;
      List<Pod> fresh = s.shardPods(newPlan);
      boolean allReady = fresh.size() == d.getStatus().plan().shards().size() && fresh.stream().allMatch(RealClusterHarness::ready);
      boolean oldRunning = s.shardPods(oldPlan).stream().anyMatch(RealClusterHarness::ready);
      if (allReady && oldRunning) newPlanAllReadyWhileOldExisted = true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // installation
  // ---------------------------------------------------------------------------------------------

  private void installChart() throws Exception {
    Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(target.kubeconfig()).ignoreNotFound().call();
    // a namespace still terminating (an earlier run's clean-up) refuses the release's objects
    poll(Duration.ofMinutes(3), "namespace " + SYSTEM_NAMESPACE + " not terminating", () -> {
      var ns = client.namespaces().withName(SYSTEM_NAMESPACE).get();
      return ns == null || ns.getMetadata().getDeletionTimestamp() == null ? Boolean.TRUE : null;
    });
    // Helm installs a chart's CRDs only when they are absent and never upgrades them; a cluster
    // that ran an older chart would prune the fields added since. Upgrade them as users must.
    try (var crds = Files.list(REPO.resolve("helm/dilemma/crds"))) {
      for (Path crd : crds.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        try (var in = Files.newInputStream(crd)) {
          client.apiextensions().v1().customResourceDefinitions().load(in).forceConflicts().serverSideApply();
        }
      }
    }
    Instant start = Instant.now();
    var install = new Helm(REPO.resolve("helm/dilemma")).install()
        .withName(RELEASE).withNamespace(SYSTEM_NAMESPACE).createNamespace()
        .withKubeConfig(target.kubeconfig())
        .set("image.repository", "dilemma/operator")
        .set("image.tag", target.imageTag())
        .set("image.pullPolicy", "Never")
        // the EdgeLinks below are written once by hand; no prober refreshes them during the run
        .set("operator.edgeLinkTtlSeconds", 3600);
    chartValues().forEach(install::set);
    install.waitReady().withTimeout(300).call();
    report("helm install -> operator Ready", Duration.between(start, Instant.now()));
  }

  /**
   * The model store: the shard-worker image's {@code model-store} command serving the model
   * directory from a hostPath, behind a Service. Returns the model's URL by ClusterIP: the local
   * cluster has no DNS (on a cluster with DNS, http://model-store.dilemma-models.svc/opt-tiny).
   */
  private String deployModelStore() throws Exception {
    String hostDir = target.publishModel(model.dir(), ModelFixture.NAME);
    deleteNamespace(MODELS_NAMESPACE);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(MODELS_NAMESPACE).endMetadata().build()).create();
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: model-store
          namespace: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels: {app: model-store}
          template:
            metadata:
              labels: {app: model-store}
            spec:
              automountServiceAccountToken: false
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
                runAsGroup: 10001
                seccompProfile: {type: RuntimeDefault}
              containers:
                - name: model-store
                  image: dilemma/shard-worker:%2$s
                  imagePullPolicy: Never
                  args: [model-store, --dir, /models, --port, "8080"]
                  ports: [{name: http, containerPort: 8080}]
                  readinessProbe:
                    httpGet: {path: /healthz, port: http}
                    periodSeconds: 2
                  resources:
                    requests: {memory: 128Mi}
                  securityContext:
                    readOnlyRootFilesystem: true
                    allowPrivilegeEscalation: false
                    capabilities: {drop: [ALL]}
                  volumeMounts:
                    - {name: models, mountPath: /models, readOnly: true}
                    - {name: tmp, mountPath: /tmp}
              volumes:
                - name: models
                  hostPath: {path: %3$s, type: Directory}
                - name: tmp
                  emptyDir: {}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: model-store
          namespace: %1$s
        spec:
          selector: {app: model-store}
          ports: [{name: http, port: 80, targetPort: 8080}]
        """.formatted(MODELS_NAMESPACE, target.imageTag(), hostDir);
    client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).inNamespace(MODELS_NAMESPACE).createOrReplace();
    client.apps().deployments().inNamespace(MODELS_NAMESPACE).withName("model-store")
        .waitUntilCondition(d -> d != null && d.getStatus() != null && Objects.equals(d.getStatus().getReadyReplicas(), 1), 3, TimeUnit.MINUTES);
    Service service = client.services().inNamespace(MODELS_NAMESPACE).withName("model-store").get();
    return "http://" + service.getSpec().getClusterIP() + "/" + ModelFixture.NAME;
  }

  /**
   * A busy 2.4 GHz Wi-Fi between the edge nodes (2 Mbit/s, 4 ms), a slow uplink to the cloud node
   * (20 Mbit/s, 80 ms): slow enough that prompt activations cost time, so a tenfold slower hop
   * changes the best plan. Created
   * afresh: the operator stamps a link when its spec changes, and an old stamp would be stale.
   */
  private void applyEdgeLinks() {
    client.resources(EdgeLink.class).list().getItems().stream()
        .filter(l -> NODES.contains(l.getSpec().from()) && NODES.contains(l.getSpec().to()))
        .forEach(l -> client.resource(l).delete());
    poll(Duration.ofMinutes(1), "old EdgeLinks gone", () -> client.resources(EdgeLink.class).list().getItems().stream()
        .noneMatch(l -> NODES.contains(l.getSpec().from()) && NODES.contains(l.getSpec().to())) ? Boolean.TRUE : null);
    for (String from : NODES) {
      for (String to : NODES) {
        if (from.equals(to)) continue;
        boolean cloud = from.equals("cloud-a10") || to.equals("cloud-a10");
        String yaml = """
            apiVersion: dilemma.io/v1alpha1
            kind: EdgeLink
            metadata:
              name: %s--%s
            spec:
              from: %s
              to: %s
              bandwidthMbps: %s
              rttMillis: %s
            """.formatted(from, to, from, to, cloud ? 20 : 2, cloud ? 80 : 4);
        EdgeLink link = client.resources(EdgeLink.class).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
        client.resource(link).create();
      }
    }
  }

  void setBandwidth(String link, double mbps) {
    client.resources(EdgeLink.class).withName(link).edit(l -> {
      var spec = l.getSpec();
      l.setSpec(new io.dilemma.api.EdgeLinkSpec(spec.from(), spec.to(), mbps, spec.rttMillis()));
      return l;
    });
  }

  private void label(String node, String key, String value) {
    client.nodes().withName(node).edit(n -> {
      n.getMetadata().getLabels().put(key, value);
      return n;
    });
  }

  private void deleteNamespace(String namespace) {
    if (client.namespaces().withName(namespace).get() == null) return;
    client.namespaces().withName(namespace).delete();
    poll(Duration.ofMinutes(3), "namespace " + namespace + " gone",
        () -> client.namespaces().withName(namespace).get() == null ? Boolean.TRUE : null);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------------------------

  String operatorLogs() {
    try {
      StringBuilder b = new StringBuilder("operator log (last 40 lines):\n");
      for (Pod p : client.pods().inNamespace(SYSTEM_NAMESPACE).list().getItems()) {
        b.append(client.pods().inNamespace(SYSTEM_NAMESPACE).withName(p.getMetadata().getName()).tailingLines(40).getLog());
      }
      return b.toString();
    } catch (RuntimeException e) {
      return "operator log unavailable: " + e.getMessage();
    }
  }

  int nodeCount() {
    return client.nodes().list().getItems().size();
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static String readySince(Pod pod) {
    return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .findFirst().orElseThrow().getLastTransitionTime();
  }

  static Optional<Condition> condition(LLMDeployment d, String type) {
    if (d == null || d.getStatus() == null) return Optional.empty();
    return d.getStatus().condition(type);
  }

  static boolean conditionTrue(LLMDeployment d, String type) {
    return condition(d, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  static <T> T poll(Duration timeout, String what, Supplier<T> probe) {
    return poll(timeout, what, probe, () -> "");
  }

  static <T> T poll(Duration timeout, String what, Supplier<T> probe, Supplier<String> diagnosis) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) return value;
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what + "\n" + diagnosis.get(), last);
  }

  static void report(String what, Duration d) {
    String line = String.format("%-55s %7.1f s", what, d.toMillis() / 1000.0);
    System.out.println("[e2e] " + line);
    appendTimings(line);
  }

  static void appendTimings(String line) {
    try {
      Path file = REPO.resolve("deploy/local-cluster/target/e2e-timings.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma/crds"))) dir = dir.getParent();
    return dir;
  }

}
