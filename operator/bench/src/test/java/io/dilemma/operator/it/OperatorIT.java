package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator, in process, against a real kube-apiserver and etcd, driven with the real kubectl.
 * The API server, the example nodes and the operator are shared by the class; each scenario gets
 * its own namespace and deployments, starts from the example's links with every node Ready, and
 * deletes what it applied, so any one runs alone and in any order.
 */
class OperatorIT {
  static final long OVERHEAD = Opt350mExample.OVERHEAD;
  static final String NAME = "opt-350m";
  static final Duration POD_START = Duration.ofMillis(400);

  static KubeTestEnvironment env;
  static KubernetesClient client;
  static SimulatedKubelet kubelet;
  static DilemmaOperator operator;
  static List<String> nodes;

  /** The namespace of the running scenario; its deployments are deleted after it. */
  String namespace;

  @BeforeAll
  static void startClusterAndOperator() throws Exception {
    env = KubeTestEnvironment.start();
    client = env.client();
    nodes = Opt350mExample.registerNodesAndLinks(env);
    kubelet = new SimulatedKubelet(client, POD_START);
    operator =
        DilemmaOperator.start(
            env.operatorClient(), new DilemmaOperator.Options(Optional.empty(), 0, 2, LLMDeploymentReconciler.Settings.defaults(), true));
  }

  @AfterAll
  static void stop() throws Exception {
    if (operator != null) operator.close();
    if (kubelet != null) kubelet.close();
    if (env != null) env.close();
  }

  /**
   * A fresh namespace holding the example's profile, on the example's links (undoing any patch an
   * earlier scenario left) with every node Ready.
   */
  void openScenario(String name) {
    namespace = name;
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName(namespace).endMetadata().build()).create();
    Opt350mExample.applyLinks(env);
    nodes.forEach(n -> ExampleNodes.setReady(client, n, true));
    Opt350mExample.createProfile(env, namespace);
  }

  /** The example LLMDeployment, renamed and edited, applied with kubectl in the scenario's namespace. */
  void applyExample(String name, java.util.function.UnaryOperator<String> edit) throws Exception {
    Path file = Files.createTempFile(name, ".yaml");
    try {
      String example = Files.readString(Opt350mExample.DEPLOYMENT);
      Files.writeString(file, edit.apply(example.replace("name: opt-350m\nspec:", "name: " + name + "\nspec:")));
      env.kubectl("apply", "-n", namespace, "-f", file.toString());
    } finally {
      Files.delete(file);
    }
  }

  /**
   * Deletes the scenario's deployments and waits for the operator to remove what they own, so the
   * memory they held is free for the next scenario.
   */
  @AfterEach
  void closeScenario() {
    if (namespace == null) return;
    env.kubectl("delete", "llmd", "--all", "-n", namespace, "--wait=true", "--timeout=60s");
    Await.until("the shard Deployments of " + namespace + " removed", Duration.ofSeconds(30),
        () -> client.apps().deployments().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT).list().getItems(),
        List::isEmpty);
  }

  static LLMDeployment get(String namespace, String name) {
    return client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
  }

  static String condition(LLMDeployment d, String type, boolean reasonInstead) {
    if (d == null || d.getStatus() == null) return null;
    return d.getStatus().condition(type).map(c -> reasonInstead ? c.getReason() : c.getStatus()).orElse(null);
  }

  static LLMDeployment awaitReady(String namespace, String name, Duration timeout) {
    return Await.until(namespace + "/" + name + " Ready=True on its desired plan", timeout,
        () -> get(namespace, name),
        d -> "True".equals(condition(d, "Ready", false))
            && d.getStatus().plan() != null
            && d.getStatus().plan().planId().equals(d.getStatus().servingPlanId()));
  }

  static List<Deployment> shardDeployments(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, name).list().getItems();
  }

  @Test
  void theExampleAppliedWithKubectlRollsOutPinnedShardsAndFillsTheStatus() throws Exception {
    openScenario("it-example");
    env.kubectl("apply", "-n", namespace, "-f", Opt350mExample.DEPLOYMENT.toString());

    LLMDeployment d = awaitReady(namespace, NAME, Duration.ofSeconds(60));
    PlanStatus plan = d.getStatus().plan();
    assertThat(plan.shards()).isNotEmpty();
    assertThat(plan.shards().get(0).node()).isEqualTo("pi5-gateway");
    assertThat(plan.predicted().totalSeconds()).isPositive();
    assertThat(plan.quantizationRatio()).isBetween(0.0, 1.0);
    assertThat(plan.qualityUsed()).isLessThanOrEqualTo(1.0 + 1e-9);
    assertThat(plan.solver().name()).isNotBlank();
    assertThat(d.getStatus().lastReplanReason()).isEqualTo("Initial");
    assertThat(condition(d, "Planned", true)).isEqualTo("Solved");
    assertThat(d.getStatus().conditions()).allMatch(c -> c.getObservedGeneration().equals(d.getMetadata().getGeneration()));

    for (PlanStatus.ShardStatus shard : plan.shards()) {
      String object = ShardNames.shard(NAME, plan.planId(), shard.index());
      Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(object).get();
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/hostname", shard.node());
      assertThat(pod.getContainers().get(0).getResources().getRequests().get("memory"))
          .isEqualTo(new Quantity(Long.toString(shard.memoryBytes() + OVERHEAD)));
      var configMap = client.configMaps().inNamespace(namespace).withName(object).get();
      ShardPlan shardPlan = ContractJson.read(configMap.getData().get(ShardPlan.CONFIG_MAP_KEY), ShardPlan.class);
      assertThat(shardPlan.node()).isEqualTo(shard.node());
      assertThat(shardPlan.firstLayer()).isEqualTo(shard.firstLayer());
      assertThat(shardPlan.layerBits()).isEqualTo(shard.bits());
      assertThat(client.services().inNamespace(namespace).withName(object).get()).isNotNull();
      for (HasMetadata owned : List.<HasMetadata>of(deployment, configMap)) {
        assertThat(owned.getMetadata().getOwnerReferences()).singleElement()
            .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(d.getMetadata().getUid()));
      }
    }
    Service head = client.services().inNamespace(namespace).withName(NAME).get();
    assertThat(head.getSpec().getSelector()).containsEntry(ShardNames.LABEL_PLAN, plan.planId());

    String table = env.kubectl("get", "llmd", NAME, "-n", namespace);
    assertThat(table.lines().findFirst().orElseThrow()).contains("READY", "SHARDS", "PREDICTED", "BITS%", "AGE");
    assertThat(table).contains("True");
    assertThat(env.kubectl("explain", "llmdeployment.spec.replanPolicy.minRelativeImprovement").replaceAll("\\s+", " "))
        .contains("A running plan is replaced only when a new one is predicted faster by at least this fraction");
  }

  /** The EdgeLink of the plan's first hop, origin to shard 1. */
  static EdgeLink firstHop(PlanStatus plan) {
    assertThat(plan.shards()).as("the example plan must cross at least one link").hasSizeGreaterThan(1);
    String name = plan.shards().get(0).node() + "--" + plan.shards().get(1).node();
    return client.resources(EdgeLink.class).withName(name).get();
  }

  static double solves() {
    return metric("dilemma_plan_solve_seconds", p -> true,
        p -> ((io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot) p).getCount());
  }

  /** The sum of one of the operator's metrics over the data points {@code which} selects. */
  static double metric(String name, java.util.function.Predicate<DataPointSnapshot> which,
      java.util.function.ToDoubleFunction<DataPointSnapshot> value) {
    return operator.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .flatMap(m -> m.getDataPoints().stream())
        .filter(which)
        .mapToDouble(value)
        .sum();
  }

  static void patchBandwidth(String link, double mbps) {
    env.kubectl("patch", "edgelink", link, "--type=merge", "-p", "{\"spec\":{\"bandwidthMbps\":" + mbps + "}}");
  }

  /** A scenario running the example unchanged, once it is Ready. */
  LLMDeployment readyExample(String scenario) throws Exception {
    openScenario(scenario);
    applyExample(NAME, spec -> spec);
    return awaitReady(namespace, NAME, Duration.ofSeconds(60));
  }

  @Test
  void aThreePercentSlowerLinkDoesNotReplanButATenfoldSlowerOneDoesWithinFiveSeconds() throws Exception {
    LLMDeployment before = readyExample("it-slower-link");
    PlanStatus plan = before.getStatus().plan();
    EdgeLink hop = firstHop(plan);
    double original = hop.getSpec().bandwidthMbps();
    // Past the stabilization window, so that only the size of the improvement decides.
    Instant windowEnds = Instant.parse(before.getStatus().lastReplanTime()).plusSeconds(5);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), windowEnds).toMillis() + 100));

    double solvedBefore = solves();
    patchBandwidth(hop.getMetadata().getName(), original * 0.97);
    Await.until("a solve of the 3% slower problem", Duration.ofSeconds(20), OperatorIT::solves, n -> n > solvedBefore);
    Thread.sleep(500);
    LLMDeployment afterSmall = get(namespace, NAME);
    assertThat(afterSmall.getStatus().plan().planId()).isEqualTo(plan.planId());
    assertThat(afterSmall.getStatus().lastReplanTime()).isEqualTo(before.getStatus().lastReplanTime());

    var timeline = new RolloutTimeline(namespace, NAME);
    long changedAt = System.currentTimeMillis();
    patchBandwidth(hop.getMetadata().getName(), original / 10);
    LLMDeployment replanned =
        Await.until("a new plan after the tenfold slower link", Duration.ofSeconds(20), () -> get(namespace, NAME),
            d -> !d.getStatus().plan().planId().equals(plan.planId()));
    PlanStatus next = replanned.getStatus().plan();
    Await.until("every Deployment of the new plan", Duration.ofSeconds(20), () -> shardDeployments(namespace, NAME),
        ds -> ds.stream().filter(x -> next.planId().equals(x.getMetadata().getLabels().get(ShardNames.LABEL_PLAN))).count()
            == next.shards().size());
    long writtenAt = timeline.lastAdded(next.planId());
    assertThat(writtenAt - changedAt).as("ms from the EdgeLink change to the new Deployments").isLessThan(5000);
    assertThat(replanned.getStatus().lastReplanReason()).isEqualTo("Improvement");

    awaitReady(namespace, NAME, Duration.ofSeconds(30));
    Await.until("the old plan's Deployments removed", Duration.ofSeconds(20), () -> shardDeployments(namespace, NAME),
        ds -> ds.stream().allMatch(x -> next.planId().equals(x.getMetadata().getLabels().get(ShardNames.LABEL_PLAN))));
    timeline.close();
    if (bothFit(plan, next)) {
      timeline.assertNewShardsThenHeadSwitchThenOldRemoved(plan.planId(), next.planId(), kubelet);
    } else {
      timeline.assertOldRemovedBeforeNewShardsStart(plan.planId(), next.planId());
    }
    assertThat(events(namespace, NAME, "PlanChanged")).isNotEmpty();
    // the slowed hop belongs to the plan that was running, not to the one that replaced it
    assertThat(events(namespace, NAME, "LinkDegraded"))
        .extracting(Event::getMessage)
        .anySatisfy(m -> assertThat(m).startsWith("EdgeLink " + hop.getMetadata().getName() + " (").contains(" Mbit/s."));
  }

  /** What the prober does: the spec's figures, then a status of source probe for that generation. */
  static void probeWrites(String link, double mbps, Instant observedAt) {
    var resource = client.resources(EdgeLink.class).withName(link);
    EdgeLink edited = resource.edit(l -> {
      l.setSpec(new EdgeLinkSpec(l.getSpec().from(), l.getSpec().to(), mbps, l.getSpec().rttMillis()));
      return l;
    });
    edited.setStatus(new EdgeLinkStatus(observedAt.toString(), EdgeLinkStatus.SOURCE_PROBE, edited.getMetadata().getGeneration(),
        3L, mbps, mbps, edited.getSpec().rttMillis(), edited.getSpec().rttMillis()));
    edited.getMetadata().setResourceVersion(null);
    client.resource(edited).patchStatus();
  }

  static double reconciles(String kind) {
    return metric("operator_sdk_reconciliations_success", p -> kind.equals(p.getLabels().get("kind")),
        p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p).getValue());
  }

  static PlanLinkStatus linkStatus(LLMDeployment d, String from, String to) {
    return d.getStatus().links().stream().filter(l -> l.from().equals(from) && l.to().equals(to)).findFirst().orElse(null);
  }

  @Test
  void theStatusShowsEachPlannedLinksFiguresAndWhetherAProbeOrAPersonMeasuredThem() throws Exception {
    LLMDeployment before = readyExample("it-link-sources");
    PlanStatus plan = before.getStatus().plan();
    EdgeLink hop = firstHop(plan);
    String from = hop.getSpec().from();
    String to = hop.getSpec().to();
    // every link of the example is hand-written
    assertThat(before.getStatus().links()).isNotEmpty().allMatch(l -> l.source().equals("manual"));
    assertThat(linkStatus(before, from, to))
        .isEqualTo(new PlanLinkStatus(from, to, hop.getMetadata().getName(), hop.getSpec().bandwidthMbps(), hop.getSpec().rttMillis(), "manual"));

    // 2% faster: a new figure, too small a change to replan
    double measured = hop.getSpec().bandwidthMbps() * 1.02;
    probeWrites(hop.getMetadata().getName(), measured, Instant.now());
    LLMDeployment probed = Await.until("the probe's figure for " + from + "->" + to + " in the status", Duration.ofSeconds(20),
        () -> get(namespace, NAME), d -> linkStatus(d, from, to) != null && linkStatus(d, from, to).source().equals("probe"));
    assertThat(probed.getStatus().plan().planId()).isEqualTo(plan.planId());
    assertThat(linkStatus(probed, from, to).bandwidthMbps()).isCloseTo(measured, org.assertj.core.data.Offset.offset(measured * 0.005));
    assertThat(linkStatus(probed, from, to).edgeLink()).isEqualTo(hop.getMetadata().getName());
    assertThat(probed.getStatus().links()).filteredOn(l -> !(l.from().equals(from) && l.to().equals(to)))
        .isNotEmpty().allMatch(l -> l.source().equals("manual"));

    // the prober re-stamping an unchanged figure reconciles the deployment, and leaves it untouched
    String version = probed.getMetadata().getResourceVersion();
    double reconciled = reconciles("LLMDeployment");
    probeWrites(hop.getMetadata().getName(), measured, Instant.now().plusSeconds(1));
    Await.until("a reconcile after the re-stamp", Duration.ofSeconds(20), () -> reconciles("LLMDeployment"), n -> n > reconciled);
    Thread.sleep(500);
    assertThat(get(namespace, NAME).getMetadata().getResourceVersion()).as("no status patch").isEqualTo(version);
  }

  @Test
  void aNodeGoingNotReadyReplansWithoutItAndReportsNodeLost() throws Exception {
    openScenario("it-node-lost");
    applyExample(NAME, spec -> spec);
    LLMDeployment before = awaitReady(namespace, NAME, Duration.ofSeconds(60));
    PlanStatus plan = before.getStatus().plan();
    String victim = plan.shards().get(plan.shards().size() - 1).node();
    assertThat(victim).isNotEqualTo("pi5-gateway");
    ExampleNodes.setReady(client, victim, false);
    try {
      LLMDeployment after =
          Await.until("a plan without " + victim, Duration.ofSeconds(30), () -> get(namespace, NAME),
              d -> d.getStatus().plan().shards().stream().noneMatch(s -> s.node().equals(victim)));
      assertThat(after.getStatus().lastReplanReason()).isEqualTo("PlanInfeasible");
      Await.until("a NodeLost event naming " + victim, Duration.ofSeconds(10), () -> events(namespace, NAME, "NodeLost"),
          es -> es.stream().anyMatch(e -> e.getMessage().contains(victim)));
      awaitReady(namespace, NAME, Duration.ofSeconds(30));
    } finally {
      ExampleNodes.setReady(client, victim, true);
    }
  }

  @Test
  void anInvalidSpecIsRejectedByTheSchemaOrReportedPrecisely() throws Exception {
    openScenario("it-invalid-spec");
    Path bad = Files.createTempFile("llmd-bad", ".yaml");
    String example = Files.readString(Opt350mExample.DEPLOYMENT);
    Files.writeString(bad, example.replace("name: opt-350m\nspec:", "name: bad-budget\nspec:").replace("budget: 1.0", "budget: -1"));
    var rejected = env.tryKubectl("apply", "-n", namespace, "-f", bad.toString());
    assertThat(rejected.exitCode()).isNotZero();
    assertThat(rejected.output()).contains("spec.quality.budget");

    Files.writeString(bad, example.replace("name: opt-350m\nspec:", "name: bad-bits\nspec:")
        .replace("  workload:", "  allowedBits: [4, 5]\n  workload:"));
    rejected = env.tryKubectl("apply", "-n", namespace, "-f", bad.toString());
    assertThat(rejected.exitCode()).isNotZero();
    assertThat(rejected.output()).contains("spec.allowedBits: Unsupported value: 5");

    // What the schema cannot say (exactly one model source) the operator reports on the object.
    Files.writeString(bad, example.replace("name: opt-350m\nspec:", "name: two-sources\nspec:")
        .replace("    source:\n", "    source:\n      persistentVolumeClaim:\n        claimName: models\n"));
    env.kubectl("apply", "-n", namespace, "-f", bad.toString());
    LLMDeployment reported = Await.until("Planned=False on two-sources", Duration.ofSeconds(20), () -> get(namespace, "two-sources"),
        d -> "InvalidSpec".equals(condition(d, "Planned", true)));
    assertThat(condition(reported, "Ready", false)).isEqualTo("False");
    assertThat(reported.getStatus().condition("Planned").orElseThrow().getMessage())
        .isEqualTo("spec.model.source: set exactly one of url or persistentVolumeClaim");
    env.kubectl("delete", "llmd", "two-sources", "-n", namespace);
    Files.delete(bad);
  }

  @Test
  void anInfeasibleBudgetIsPlannedFalseWithTheExplanation() throws Exception {
    openScenario("it-infeasible");
    applyExample("strict", spec -> spec
        .replace("budget: 1.0", "budget: 0.0")
        .replace("  workload:", "  allowedBits: [2, 3, 4]\n  workload:"));
    LLMDeployment d = Await.until("Planned=False on strict", Duration.ofSeconds(30), () -> get(namespace, "strict"),
        x -> "Infeasible".equals(condition(x, "Planned", true)));
    String message = d.getStatus().condition("Planned").orElseThrow().getMessage();
    assertThat(message).containsPattern("^The quality budget 0 is below .*; the smallest feasible budget is [0-9.e-]+\\.$");
    assertThat(condition(d, "Ready", false)).isEqualTo("False");
    assertThat(shardDeployments(namespace, "strict")).isEmpty();
    Await.until("an Infeasible event", Duration.ofSeconds(10), () -> events(namespace, "strict", "Infeasible"), es -> !es.isEmpty());
  }

  @Test
  void deploymentsSharingNodesNeverOversubscribeTheirMemory() throws Exception {
    openScenario("it-shared-nodes");
    for (String name : List.of("twin-a", "twin-b")) applyExample(name, spec -> spec);
    for (String name : List.of("twin-a", "twin-b")) {
      LLMDeployment twin = Await.until(name + " planned", Duration.ofSeconds(60), () -> get(namespace, name),
          d -> condition(d, "Planned", true) != null);
      assertThat(condition(twin, "Planned", true)).as(name).isIn("Solved", "Infeasible");
    }
    // Every plan together, in any namespace: what the operator promised never exceeds what a node has.
    Map<String, Long> planned = new HashMap<>();
    for (LLMDeployment d : client.resources(LLMDeployment.class).inAnyNamespace().list().getItems()) {
      if (d.getStatus() == null || d.getStatus().plan() == null) continue;
      io.dilemma.operator.observe.MemoryLedger.requestsByNode(d.getStatus().plan(), OVERHEAD)
          .forEach((node, bytes) -> planned.merge(node, bytes, Long::sum));
    }
    for (var e : planned.entrySet()) {
      long allocatable = client.nodes().withName(e.getKey()).get().getStatus().getAllocatable().get("memory").getNumericalAmount().longValue();
      assertThat(e.getValue()).as("memory planned on " + e.getKey()).isLessThanOrEqualTo(allocatable);
    }
    Map<String, Long> requested = new HashMap<>();
    for (Deployment deployment : client.apps().deployments().inAnyNamespace().list().getItems()) {
      var pod = deployment.getSpec().getTemplate().getSpec();
      requested.merge(pod.getNodeSelector().get("kubernetes.io/hostname"),
          pod.getContainers().get(0).getResources().getRequests().get("memory").getNumericalAmount().longValue(), Long::sum);
    }
    assertThat(requested.keySet()).as("nodes in use").isNotEmpty();
    for (var e : requested.entrySet()) {
      long allocatable = client.nodes().withName(e.getKey()).get().getStatus().getAllocatable().get("memory").getNumericalAmount().longValue();
      assertThat(e.getValue()).as("memory requested on " + e.getKey()).isLessThanOrEqualTo(allocatable);
    }
  }

  @Test
  void deletingTheDeploymentRemovesEverythingItOwns() throws Exception {
    openScenario("it-delete");
    applyExample(NAME, spec -> spec);
    LLMDeployment d = awaitReady(namespace, NAME, Duration.ofSeconds(60));
    assertThat(shardDeployments(namespace, NAME)).isNotEmpty();
    String uid = d.getMetadata().getUid();
    for (var list : List.of(shardDeployments(namespace, NAME),
        client.configMaps().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, NAME).list().getItems(),
        client.services().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, NAME).list().getItems())) {
      assertThat(list).isNotEmpty().allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
          .anyMatch(ref -> ref.getUid().equals(uid) && Boolean.TRUE.equals(ref.getController())));
    }
    env.kubectl("delete", "llmd", NAME, "-n", namespace, "--wait=true", "--timeout=30s");
    assertThat(shardDeployments(namespace, NAME)).isEmpty();
    assertThat(client.configMaps().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, NAME).list().getItems()).isEmpty();
    assertThat(client.services().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, NAME).list().getItems()).isEmpty();
  }

  /** Whether every node can hold both plans' memory requests at once (nothing else runs here). */
  static boolean bothFit(PlanStatus a, PlanStatus b) {
    Map<String, Long> needed = new HashMap<>(io.dilemma.operator.observe.MemoryLedger.requestsByNode(a, OVERHEAD));
    io.dilemma.operator.observe.MemoryLedger.requestsByNode(b, OVERHEAD).forEach((n, bytes) -> needed.merge(n, bytes, Long::sum));
    return needed.entrySet().stream().allMatch(e -> e.getValue()
        <= client.nodes().withName(e.getKey()).get().getStatus().getAllocatable().get("memory").getNumericalAmount().longValue());
  }

  static List<Event> events(String namespace, String name, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  /** Watches one deployment's shard Deployments and head Service and records when each changed. */
  static final class RolloutTimeline implements AutoCloseable {
    record Entry(long at, String kind, String action, String plan, String name) {}

    final List<Entry> entries = new CopyOnWriteArrayList<>();
    final List<io.fabric8.kubernetes.client.Watch> watches = new ArrayList<>();
    final String namespace;

    RolloutTimeline(String namespace, String name) {
      this.namespace = namespace;
      watches.add(client.apps().deployments().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, name)
          .watch(recorder("Deployment", d -> d.getMetadata().getLabels().get(ShardNames.LABEL_PLAN))));
      watches.add(client.services().inNamespace(namespace).withName(name)
          .watch(recorder("HeadService", s -> s.getSpec().getSelector().get(ShardNames.LABEL_PLAN))));
    }

    <T extends HasMetadata> Watcher<T> recorder(String kind, java.util.function.Function<T, String> plan) {
      return new Watcher<>() {
        @Override
        public void eventReceived(Action action, T resource) {
          entries.add(new Entry(System.currentTimeMillis(), kind, action.name(), plan.apply(resource), resource.getMetadata().getName()));
        }

        @Override
        public void onClose(WatcherException cause) {}
      };
    }

    long lastAdded(String plan) {
      return Await.until("ADDED events of plan " + plan, Duration.ofSeconds(5), () -> entries,
          es -> es.stream().anyMatch(e -> e.action().equals("ADDED") && plan.equals(e.plan())))
          .stream().filter(e -> e.action().equals("ADDED") && plan.equals(e.plan()) && e.kind().equals("Deployment"))
          .mapToLong(Entry::at).max().orElseThrow();
    }

    void assertNewShardsThenHeadSwitchThenOldRemoved(String oldPlan, String newPlan, SimulatedKubelet kubelet) {
      long switched = entries.stream()
          .filter(e -> e.kind().equals("HeadService") && e.action().equals("MODIFIED") && newPlan.equals(e.plan()))
          .mapToLong(Entry::at).min().orElseThrow(() -> new AssertionError("head Service never switched: " + entries));
      List<Entry> added = entries.stream().filter(e -> e.kind().equals("Deployment") && e.action().equals("ADDED") && newPlan.equals(e.plan())).toList();
      List<Entry> removed = entries.stream().filter(e -> e.kind().equals("Deployment") && e.action().equals("DELETED") && oldPlan.equals(e.plan())).toList();
      assertThat(added).isNotEmpty();
      assertThat(removed).isNotEmpty();
      for (Entry e : added) {
        assertThat(e.at()).as("new shard %s created before the head switch", e.name()).isLessThanOrEqualTo(switched);
        Long available = kubelet.availableAt(namespace, e.name());
        assertThat(available).as("new shard %s available before the head switch", e.name()).isNotNull().isLessThanOrEqualTo(switched);
      }
      for (Entry e : removed) {
        assertThat(e.at()).as("old shard %s removed after the head switch", e.name()).isGreaterThanOrEqualTo(switched);
      }
    }

    /** Where the nodes cannot hold both plans: the old shards go before any new one starts. */
    void assertOldRemovedBeforeNewShardsStart(String oldPlan, String newPlan) {
      long firstNew = entries.stream()
          .filter(e -> e.kind().equals("Deployment") && e.action().equals("ADDED") && newPlan.equals(e.plan()))
          .mapToLong(Entry::at).min().orElseThrow(() -> new AssertionError("no new shard: " + entries));
      List<Entry> removed = entries.stream()
          .filter(e -> e.kind().equals("Deployment") && e.action().equals("DELETED") && oldPlan.equals(e.plan())).toList();
      assertThat(removed).isNotEmpty();
      for (Entry e : removed) {
        assertThat(e.at()).as("old shard %s removed before the new plan starts", e.name()).isLessThanOrEqualTo(firstNew);
      }
    }

    @Override
    public void close() {
      watches.forEach(io.fabric8.kubernetes.client.Watch::close);
    }
  }
}
