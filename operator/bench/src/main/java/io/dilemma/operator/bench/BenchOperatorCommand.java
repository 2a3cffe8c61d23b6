package io.dilemma.operator.bench;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dilemma bench operator}: the operator in process against the test API server.
 *
 * <ol>
 *   <li>On the 7B example: from an EdgeLink change on the running plan's first hop to the new
 *       plan's Deployments all written, solve included.
 *   <li>Reconcile throughput with many LLMDeployments sharing a fleet of nodes: the cold start
 *       (every deployment solved once) and no-op reconciles (a node event that changes no plan).
 * </ol>
 */
@Command(
    name = "operator",
    description = "Benchmark the operator against a real kube-apiserver (needs .ci/prepare-kube-test-env.sh).")
public final class BenchOperatorCommand implements Callable<Integer> {
  static final long OVERHEAD = LLMDeploymentReconciler.Settings.defaults().shardOverheadBytes();
  static final long GIB = 1L << 30;

  @Option(names = "--examples", defaultValue = "deploy/examples", description = "Directory of the examples (default: ${DEFAULT-VALUE}).")
  Path examples;

  @Option(names = "--iterations", defaultValue = "7", description = "EdgeLink changes measured (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--degraded-mbps", defaultValue = "2",
      description = "Bandwidth the first hop drops to, Mbit/s: low enough that the plan must move (default: ${DEFAULT-VALUE}).")
  double degradedMbps;

  @Option(names = "--time-limit", description = "Override the example's solver time limit, seconds.")
  Double timeLimit;

  @Option(names = "--deployments", defaultValue = "50", description = "LLMDeployments in the throughput run, 0 to skip it (default: ${DEFAULT-VALUE}).")
  int deployments;

  @Option(names = "--nodes", defaultValue = "16", description = "Nodes they share (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--fleet-time-limit", defaultValue = "1", description = "Solver time limit of each fleet deployment, seconds (default: ${DEFAULT-VALUE}).")
  double fleetTimeLimit;

  private final ApiRequestCounter requests = new ApiRequestCounter();
  /** The LLMDeployments as a watch sees them: waiting on them costs the API server nothing. */
  private Watched watched;

  @Override
  public Integer call() throws Exception {
    if (!TestApiServer.binariesPresent()) throw new IllegalStateException(TestApiServer.missingBinariesMessage());
    try (TestApiServer server = TestApiServer.start()) {
      server.installCrds();
      KubernetesClient client = server.client();
      // The operator's own client, so its requests are counted apart from the bench's and the
      // simulated kubelet's.
      try (KubernetesClient operatorClient = requests.client(server.kubeConfigYaml());
          SimulatedKubelet kubelet = new SimulatedKubelet(client, Duration.ZERO);
          Watched watched = new Watched(client);
          DilemmaOperator operator =
              DilemmaOperator.start(
                  operatorClient,
                  new DilemmaOperator.Options(
                      // As many concurrent reconciles as the operator runs by default.
                      Optional.empty(), -1, DilemmaOperator.Options.defaults().reconcileThreads(),
                      LLMDeploymentReconciler.Settings.defaults(), true))) {
        this.watched = watched;
        linkChange(client, operator);
        if (deployments > 0) throughput(client, operator);
      }
    }
    return 0;
  }

  // ---- 1. EdgeLink change → updated Deployments ------------------------------------------------

  private void linkChange(KubernetesClient client, DilemmaOperator operator) throws Exception {
    Path dir = examples.resolve("opt-6.7b-edge");
    ExampleNodes.register(client, dir.resolve("cluster.yaml"), OVERHEAD);
    client.load(Files.newInputStream(examples.resolve("opt-6.7b-edgelinks.yaml"))).serverSideApply();
    client.configMaps().inNamespace("default").resource(
        new ConfigMapBuilder().withNewMetadata().withName("opt-6.7b-profile").endMetadata()
            .withData(Map.of("profile.json", Files.readString(dir.resolve("profile.json")))).build()).create();
    LLMDeployment example =
        client.resources(LLMDeployment.class).load(Files.newInputStream(examples.resolve("opt-6.7b-llmdeployment.yaml"))).item();
    LLMDeploymentSpec s = example.getSpec();
    // Window 0: every change is judged on its size alone, so each iteration can replan at once.
    example.setSpec(new LLMDeploymentSpec(s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(), s.placement(),
        new LLMDeploymentSpec.ReplanPolicySpec(s.replanPolicy().minRelativeImprovement(), 0),
        timeLimit == null ? s.solver() : new LLMDeploymentSpec.SolverSpec(timeLimit), s.worker()));
    example.getMetadata().setNamespace("default");
    client.resource(example).create();
    String name = example.getMetadata().getName();

    PlanStatus plan = awaitServing("default", name, Duration.ofMinutes(3)).getStatus().plan();
    System.out.printf(Locale.ROOT, "7B example: %d shards on %s, predicted %.2f s, solver %s %s in %.2f s%n",
        plan.shards().size(), plan.shards().stream().map(PlanStatus.ShardStatus::node).toList(),
        plan.predicted().totalSeconds(), plan.solver().name(), plan.solver().status(), plan.solver().wallSeconds());

    List<Double> latencies = new ArrayList<>();
    List<Double> solves = new ArrayList<>();
    for (int i = 0; i < iterations; i++) {
      plan = awaitServing("default", name, Duration.ofMinutes(3)).getStatus().plan();
      if (plan.shards().size() < 2) {
        System.out.println("the plan runs on one node; no link to change");
        break;
      }
      String hop = plan.shards().get(0).node() + "--" + plan.shards().get(1).node();
      EdgeLink link = client.resources(EdgeLink.class).withName(hop).get();
      double original = link.getSpec().bandwidthMbps();
      String before = plan.planId();
      try (DeploymentTimeline timeline = new DeploymentTimeline(client, "default", name)) {
        double solvingBefore = solveSeconds(operator);
        Map<String, Long> requestsBefore = requests.snapshot();
        long changedAt = System.nanoTime();
        setBandwidth(client, link, degradedMbps);
        LLMDeployment replanned = await(Duration.ofMinutes(3), () -> watched.get("default", name),
            d -> d.getStatus() != null && !before.equals(d.getStatus().plan().planId()));
        PlanStatus next = replanned.getStatus().plan();
        long writtenAt = timeline.awaitAllAdded(next.planId(), next.shards().size());
        latencies.add((writtenAt - changedAt) / 1e9);
        solves.add(solveSeconds(operator) - solvingBefore);
        Map<String, Long> requestsAfter = requests.snapshot();
        System.out.printf(Locale.ROOT, "  %s %.0f -> %.0f Mbit/s: plan %s -> %s (%s), Deployments written after %.3f s, of which solving %.3f s;"
                + " %d API requests by then: %s%n",
            hop, original, degradedMbps, before, next.planId(), next.solver().status(), latencies.get(latencies.size() - 1),
            solves.get(solves.size() - 1), ApiRequestCounter.total(requestsBefore, requestsAfter),
            ApiRequestCounter.difference(requestsBefore, requestsAfter));
      }
      awaitServing("default", name, Duration.ofMinutes(3));
      // Let the operator finish what the change started (it looks again from an unproven plan),
      // then restore the link and let it finish judging that too, so the next measurement does
      // not queue behind either.
      awaitSettled(operator);
      double solvedBefore = solveCount(operator);
      setBandwidth(client, client.resources(EdgeLink.class).withName(hop).get(), original);
      await(Duration.ofMinutes(3), () -> solveCount(operator), n -> n > solvedBefore);
      awaitSettled(operator);
      awaitServing("default", name, Duration.ofMinutes(3));
    }
    if (!latencies.isEmpty()) {
      List<Double> overhead = new ArrayList<>();
      for (int i = 0; i < latencies.size(); i++) overhead.add(latencies.get(i) - solves.get(i));
      System.out.printf(Locale.ROOT,
          "EdgeLink change -> updated Deployments written (7B example, n=%d): median %.3f s, p90 %.3f s, min %.3f s, max %.3f s;"
              + " median solving %.3f s of it, median rest (events, pricing, writes) %.3f s; load average %.1f on %d cores%n",
          latencies.size(), median(latencies), percentile(latencies, 0.9), min(latencies), max(latencies), median(solves),
          median(overhead), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
    }
  }

  private static void setBandwidth(KubernetesClient client, EdgeLink link, double mbps) {
    link.setSpec(new EdgeLinkSpec(link.getSpec().from(), link.getSpec().to(), mbps, link.getSpec().rttMillis()));
    link.setStatus(null);
    link.getMetadata().setResourceVersion(null);
    link.getMetadata().setManagedFields(null);
    client.resource(link).forceConflicts().serverSideApply();
  }

  // ---- 2. many deployments on a shared fleet -----------------------------------------------------

  private void throughput(KubernetesClient client, DilemmaOperator operator) throws Exception {
    String ns = "fleet";
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    client.configMaps().inNamespace(ns).resource(
        new ConfigMapBuilder().withNewMetadata().withName("opt-350m-profile").endMetadata()
            .withData(Map.of("profile.json", Files.readString(examples.resolve("opt-350m-edge/profile.json")))).build()).create();
    List<String> names = new ArrayList<>();
    for (int k = 0; k < nodes; k++) {
      String node = String.format(Locale.ROOT, "fleet-%02d", k);
      names.add(node);
      ExampleNodes.registerNode(client, node, "fleet", 25 + 25 * (k % 6), 6 + 4 * (k % 6), 16 * GIB);
    }
    ExampleNodes.linkAll(client, names, 1000, 0.6);
    double solvingBefore = solveSeconds(operator);
    double solvesBefore = solveCount(operator);
    double reconcilesAtStart = reconciles(operator);
    CpuClock cpu = CpuClock.start();
    Map<String, Long> requestsAtStart = requests.snapshot();
    long start = System.nanoTime();
    for (int i = 0; i < deployments; i++) {
      LLMDeployment d = new LLMDeployment();
      d.setMetadata(new ObjectMetaBuilder().withName(String.format(Locale.ROOT, "llm-%02d", i)).withNamespace(ns).build());
      d.setSpec(new LLMDeploymentSpec(
          new LLMDeploymentSpec.ModelSpec("opt-350m", new LLMDeploymentSpec.ConfigMapKeyRef("opt-350m-profile", null),
              new LLMDeploymentSpec.ShardSource("https://models.local/opt-350m", null)),
          new LLMDeploymentSpec.WorkloadSpec(256, 128),
          new LLMDeploymentSpec.QualitySpec(1.0, null), null, null,
          new LLMDeploymentSpec.PlacementSpec(Map.of(ExampleNodes.POOL_LABEL, "fleet"), names.get(i % nodes), true),
          null, new LLMDeploymentSpec.SolverSpec(fleetTimeLimit), null));
      client.resource(d).create();
    }
    await(Duration.ofMinutes(30), () -> watched.list(ns),
        list -> list.size() == deployments && list.stream().allMatch(d -> d.getStatus() != null
            && d.getStatus().condition("Planned").isPresent()));
    double cold = (System.nanoTime() - start) / 1e9;
    String cpuUsed = cpu.report();
    Map<String, Long> requestsPlanned = requests.snapshot();
    var all = client.resources(LLMDeployment.class).inNamespace(ns).list().getItems();
    long planned = all.stream().filter(d -> "True".equals(d.getStatus().condition("Planned").get().getStatus())).count();
    System.out.printf(Locale.ROOT,
        "%d LLMDeployments on %d nodes, cold start: all planned after %.1f s (%.2f plans/s, %d feasible, %d not), solver limit %.1f s each,"
            + " %d reconcile threads, %.0f plans redone because memory moved while they solved%n",
        deployments, nodes, cold, deployments / cold, planned, deployments - planned, fleetTimeLimit,
        DilemmaOperator.Options.defaults().reconcileThreads(), counter(operator, "dilemma_plan_memory_conflicts"));
    System.out.printf(Locale.ROOT, "  CPU: %s; %.0f reconciles, %.0f solves, %.1f s solving in all%n", cpuUsed,
        reconciles(operator) - reconcilesAtStart, solveCount(operator) - solvesBefore, solveSeconds(operator) - solvingBefore);
    long sent = ApiRequestCounter.total(requestsAtStart, requestsPlanned);
    System.out.printf(Locale.ROOT, "  operator's API requests until all planned: %d (%.1f per deployment): %s%n",
        sent, (double) sent / deployments, ApiRequestCounter.difference(requestsAtStart, requestsPlanned));
    System.out.println(oversubscribed(client, ns).map(n -> "OVERSUBSCRIBED: " + n).orElse("no node's memory oversubscribed"));

    // The rest of the cold start: the Deployments' availability brings each one reconcile more.
    awaitSettled(operator);
    Map<String, Long> requestsSettled = requests.snapshot();
    System.out.printf(Locale.ROOT, "  and until the operator settled (Ready): %d more: %s%n",
        ApiRequestCounter.total(requestsPlanned, requestsSettled), ApiRequestCounter.difference(requestsPlanned, requestsSettled));
    double reconcilesBefore = reconciles(operator);
    long touched = System.nanoTime();
    var node = client.nodes().withName(names.get(0)).get();
    node.getMetadata().setAnnotations(Map.of("bench.dilemma.io/touched", Long.toString(touched)));
    client.nodes().resource(node).update();
    await(Duration.ofMinutes(5), () -> reconciles(operator), n -> n >= reconcilesBefore + deployments);
    double noop = (System.nanoTime() - touched) / 1e9;
    awaitSettled(operator);
    Map<String, Long> requestsNoop = requests.snapshot();
    System.out.printf(Locale.ROOT,
        "no-op reconcile of all %d after a node event: %.2f s (%.0f reconciles/s), %d API requests: %s%n", deployments, noop,
        deployments / noop, ApiRequestCounter.total(requestsSettled, requestsNoop), ApiRequestCounter.difference(requestsSettled, requestsNoop));
  }

  private static double solveSeconds(DilemmaOperator operator) {
    return solveHistogram(operator, HistogramSnapshot.HistogramDataPointSnapshot::getSum);
  }

  private static double solveCount(DilemmaOperator operator) {
    return solveHistogram(operator, HistogramSnapshot.HistogramDataPointSnapshot::getCount);
  }

  /** One figure of the solve-time histogram, summed over its series. */
  private static double solveHistogram(
      DilemmaOperator operator, ToDoubleFunction<HistogramSnapshot.HistogramDataPointSnapshot> figure) {
    return operator.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("dilemma_plan_solve_seconds"))
        .flatMap(m -> ((HistogramSnapshot) m).getDataPoints().stream())
        .mapToDouble(figure)
        .sum();
  }

  private static double counter(DilemmaOperator operator, String name) {
    return counter(operator, name, null);
  }

  /** A counter's total, over the data points of resource kind {@code kind} (all when null). */
  private static double counter(DilemmaOperator operator, String name, String kind) {
    return operator.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
        .filter(p -> kind == null || kind.equals(p.getLabels().get("kind")))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
        .sum();
  }

  /** A node whose planned memory requests exceed its allocatable memory, if any. */
  private static Optional<String> oversubscribed(KubernetesClient client, String ns) {
    Map<String, Long> planned = new java.util.HashMap<>();
    for (LLMDeployment d : client.resources(LLMDeployment.class).inNamespace(ns).list().getItems()) {
      if (d.getStatus() == null || d.getStatus().plan() == null) continue;
      io.dilemma.operator.observe.MemoryLedger.requestsByNode(d.getStatus().plan(), OVERHEAD)
          .forEach((node, bytes) -> planned.merge(node, bytes, Long::sum));
    }
    return planned.entrySet().stream()
        .filter(e -> e.getValue() > client.nodes().withName(e.getKey()).get().getStatus().getAllocatable().get("memory")
            .getNumericalAmount().longValue())
        .map(e -> e.getKey() + " " + e.getValue() + " bytes planned")
        .findFirst();
  }

  private static double reconciles(DilemmaOperator operator) {
    return OperatorActivity.reconcilesStarted(operator);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private LLMDeployment awaitServing(String ns, String name, Duration timeout) throws InterruptedException {
    return await(timeout, () -> watched.get(ns, name),
        d -> d != null && d.getStatus() != null && d.getStatus().plan() != null
            && d.getStatus().plan().planId().equals(d.getStatus().servingPlanId())
            && d.getStatus().condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
  }

  private static <T> T await(Duration timeout, java.util.function.Supplier<T> probe, java.util.function.Predicate<T> done)
      throws InterruptedException {
    return await(timeout, Duration.ofMillis(5), probe, done);
  }

  private static <T> T await(
      Duration timeout, Duration poll, java.util.function.Supplier<T> probe, java.util.function.Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      T value = probe.get();
      if (value != null && done.test(value)) return value;
      Thread.sleep(poll.toMillis());
    }
    throw new IllegalStateException("timed out after " + timeout);
  }

  /**
   * CPU time of this process (operator, bench, simulated kubelet) and of its children (the API
   * server and etcd) over a stretch of the run: on a shared, loaded machine the wall time says as
   * much about the neighbours as about the operator.
   */
  private record CpuClock(long ownNanos, long childNanos, double loadAverage, Map<String, Long> jvmThreads) {
    static CpuClock start() {
      return new CpuClock(ownCpu(), childCpu(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          JvmThreadCpu.byKind());
    }

    String report() {
      Map<String, Long> jvm = JvmThreadCpu.byKind();
      return String.format(Locale.ROOT,
          "operator process %.1f s (of which the JIT compiler %.1f s, GC %.1f s), API server and etcd %.1f s; load average %.1f -> %.1f on %d cores",
          (ownCpu() - ownNanos) / 1e9, JvmThreadCpu.seconds(jvmThreads, jvm, JvmThreadCpu.JIT),
          JvmThreadCpu.seconds(jvmThreads, jvm, JvmThreadCpu.GC), (childCpu() - childNanos) / 1e9, loadAverage,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
    }

    private static long ownCpu() {
      return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }

    private static long childCpu() {
      return ProcessHandle.current().descendants()
          .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
          .sum();
    }
  }

  /** When each Deployment of one LLMDeployment was first seen, from a watch. */
  private static final class DeploymentTimeline implements AutoCloseable {
    private final Map<String, Long> addedAt = new ConcurrentHashMap<>();
    private final Map<String, String> planOf = new ConcurrentHashMap<>();
    private final Watch watch;

    DeploymentTimeline(KubernetesClient client, String ns, String deployment) {
      watch = client.apps().deployments().inNamespace(ns).withLabel(ShardNames.LABEL_DEPLOYMENT, deployment)
          .watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
              if (action == Action.ADDED) {
                addedAt.putIfAbsent(d.getMetadata().getName(), System.nanoTime());
                planOf.put(d.getMetadata().getName(), d.getMetadata().getLabels().get(ShardNames.LABEL_PLAN));
              }
            }

            @Override
            public void onClose(WatcherException cause) {}
          });
    }

    long awaitAllAdded(String plan, int shards) throws InterruptedException {
      BooleanSupplier done = () -> planOf.values().stream().filter(plan::equals).count() >= shards;
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (!done.getAsBoolean()) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("the Deployments of plan " + plan + " never appeared");
        Thread.sleep(2);
      }
      return planOf.entrySet().stream().filter(e -> plan.equals(e.getValue()))
          .mapToLong(e -> addedAt.get(e.getKey())).max().orElseThrow();
    }

    @Override
    public void close() {
      watch.close();
    }
  }

  /** Nearest-rank percentile: the smallest value with at least {@code q} of the values at or below it. */
  static double percentile(List<Double> values, double q) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** The operator has nothing left to do about the last change (no reconcile for 300 ms). */
  private static void awaitSettled(DilemmaOperator operator) throws InterruptedException {
    OperatorActivity.awaitSettled(operator, Duration.ofMillis(300), Duration.ofMinutes(3));
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
