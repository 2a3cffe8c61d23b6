package io.dilemma.e2e;

import static io.dilemma.e2e.ServingOnRealKubernetes.poll;
import static io.dilemma.e2e.ServingOnRealKubernetes.report;
import static io.dilemma.e2e.ServingOnRealKubernetes.appendTimings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.dilemma.demo.CompletionTimes;
import io.dilemma.demo.CpuHog;
import io.dilemma.demo.DemoInstall;
import io.dilemma.demo.PlanTable;
import io.dilemma.demo.ServingWatch;
import io.dilemma.demo.SteadyClient;
import io.dilemma.localcluster.EdgeTopology;
import io.fabric8.kubernetes.api.model.Node;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The closed loop on the real local cluster: nodes whose CPU is capped for real, links shaped for
 * real, probers that measure both, and the operator planning from nothing but those measurements.
 * For each workload the ILP's plan and each baseline are rolled out as real pods, the same way
 * ({@code spec.solver.strategy}), and their completion times measured by a client beside the
 * prediction the operator wrote in the status.
 *
 * <p>{@code -Ddilemma.experiment.requests} sets the measured requests per plan (default 3; the
 * {@code bench e2e} run uses more) and {@code -Ddilemma.experiment.workloads} a comma-separated
 * subset of the workloads by name, {@code -Ddilemma.experiment.strict=true} makes the claim itself
 * (every median within ±20 % of its prediction, the ILP's plan the fastest) a failure instead of a
 * reported finding. The table goes to stdout and target/closed-loop/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedLoopE2E {
  static final Path REPO = ServingOnRealKubernetes.REPO;
  static final String SYSTEM_NAMESPACE = DemoInstall.SYSTEM_NAMESPACE;
  static final String NAMESPACE = "closed-loop";
  static final String NAME = "llm";
  static final String RELEASE = DemoInstall.RELEASE;
  static final String ORIGIN = DemoInstall.ORIGIN;
  static final String VOLUME = "closed-loop-model";
  static final double TOLERANCE = 0.20;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Workload(String name, int prompt, int output) {}

  static final List<Workload> WORKLOADS = List.of(
      new Workload("short-prompt-long-output", 8, 48),
      new Workload("long-prompt-short-output", 96, 4),
      new Workload("mixed", 32, 16));

  static final List<String> STRATEGIES =
      List.of("jointIlp", "uniform8Bits", "bestSingleNode", "memoryProportional", "allOnOrigin16Bits");

  record Row(Workload workload, String strategy, String planId, String layout, double predicted, List<Double> seconds) {
    double median() {
      return new CompletionTimes(seconds).median();
    }

    double p90() {
      return new CompletionTimes(seconds).p90();
    }

    double ratio() {
      return median() / predicted;
    }
  }

  private final int requests = Integer.getInteger("dilemma.experiment.requests", 3);
  private final boolean strict = Boolean.getBoolean("dilemma.experiment.strict");
  private final List<Workload> workloads = selectedWorkloads();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final Random random = new Random(11);
  private LocalCluster target;
  private KubernetesClient client;
  private EdgeTopology topology;
  private ServingWatch watch;
  private DemoInstall install;
  private ExperimentModel model;
  private final Map<String, Map<String, String>> typedLabels = new HashMap<>();
  private Path out;

  @BeforeAll
  void bringUpTheEdge() throws Exception {
    String kubeconfig = System.getProperty("dilemma.e2e.kubeconfig", "");
    Assumptions.assumeTrue(!kubeconfig.isBlank() && Files.isRegularFile(Path.of(kubeconfig)),
        "ClosedLoopE2E needs -Ddilemma.e2e.kubeconfig of a running deploy/local-cluster/cluster up");
    target = new LocalCluster(Path.of(kubeconfig), System.getProperty("dilemma.e2e.version", "0.1.0-SNAPSHOT"));
    client = target.client();
    watch = new ServingWatch(client, NAMESPACE, NAME, SYSTEM_NAMESPACE);
    install = new DemoInstall(client, REPO, target.kubeconfig(), target.imageTag(), NAMESPACE, NAME, VOLUME);
    out = Files.createDirectories(REPO.resolve("deploy/local-cluster/target/closed-loop"));
    model = ExperimentModel.create(REPO, Files.createDirectories(REPO.resolve("deploy/local-cluster/target/e2e")));
    topology = new EdgeTopology(REPO);
    topology.apply();
    install.crds();
    forgetTypedFigures();
    installChart();
    prepareNamespace();
    Instant start = Instant.now();
    watch.awaitMeasuredEdge(Duration.ofMinutes(10));
    report("probers: every link and node measured", Duration.between(start, Instant.now()));
    System.out.println("[closed-loop] shaping and caps:\n" + topology.show());
    System.out.println("[closed-loop] measured:\n" + watch.measuredEdge());
  }

  @AfterAll
  void restore() throws Exception {
    if (client == null) return;
    try {
      var d = client.resources(LLMDeployment.class).inNamespace(NAMESPACE).withName(NAME).get();
      if (d != null) client.resource(d).delete();
      deleteNamespace(NAMESPACE);
      client.persistentVolumes().withName(VOLUME).delete();
      Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(target.kubeconfig()).ignoreNotFound().call();
      deleteNamespace(SYSTEM_NAMESPACE);
      client.resources(EdgeLink.class).list().getItems().forEach(l -> client.resource(l).delete());
      typedLabels.forEach((node, labels) -> client.nodes().withName(node).edit(n -> {
        n.getMetadata().getLabels().putAll(labels);
        n.getMetadata().getAnnotations().remove("dilemma.io/available-compute-ratio");
        return n;
      }));
      topology.clear();
    } finally {
      target.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Every directed link shaped to at most 100 Mbit/s lands within 15 % of its rate. The first
   * samples are taken while five probers start at once on two cores (JIT, each node's MatMul
   * benchmark), and a node capped at a quarter of a core then cannot always keep 100 Mbit/s of
   * TCP going; the EWMA folds later samples in, so the figures are checked until they land, with
   * the time it took reported. The 1 Gbit/s pair is left out: a node capped at a quarter of a core
   * cannot push it over TCP (0.26–0.43 of it, measured; 0.82 uncapped), which says more about the
   * node than the prober.
   */
  @Test
  void theProbersMeasureEveryLinkUpToOneHundredMegabitsWithinFifteenPercent() throws Exception {
    Instant start = Instant.now();
    List<String> off = new ArrayList<>();
    int[] checked = new int[1];
    try {
      poll(Duration.ofMinutes(3), "every link of at most 100 Mbit/s within 15 % of its shaped rate", () -> {
        off.clear();
        checked[0] = 0;
        for (EdgeLink l : client.resources(EdgeLink.class).list().getItems()) {
          double shaped = EdgeTopology.rateMbps(l.getSpec().from(), l.getSpec().to());
          if (shaped > 100) continue;
          checked[0]++;
          double ratio = l.getSpec().bandwidthMbps() / shaped;
          if (Math.abs(ratio - 1) > 0.15) {
            off.add(String.format(Locale.ROOT, "%s: %.1f Mbit/s measured, %.0f shaped (%.2f)", l.getMetadata().getName(),
                l.getSpec().bandwidthMbps(), shaped, ratio));
          }
        }
        return checked[0] == 18 && off.isEmpty() ? Boolean.TRUE : null;
      });
    } catch (AssertionError notLanded) {
      // falls through to the assertions, which name the links still off
    }
    report("every link of at most 100 Mbit/s within 15 %", Duration.between(start, Instant.now()));
    assertThat(checked[0]).as("links shaped to at most 100 Mbit/s").isEqualTo(18);
    assertThat(off).as("links measured more than 15 %% off their shaped rate after 3 minutes\n%s", watch.measuredEdge()).isEmpty();
  }

  @Test
  void measuredCompletionTimeMatchesThePredictionAndTheIlpIsFastest() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (Workload w : workloads) {
      for (String strategy : STRATEGIES) {
        Row row = measure(w, strategy);
        rows.add(row);
        if (row.seconds().isEmpty()) System.out.printf("[closed-loop] %-26s %-20s %s%n", w.name(), strategy, row.layout());
        else System.out.printf(Locale.ROOT, "[closed-loop] %-26s %-20s predicted %7.3f s, median %7.3f s, p90 %7.3f s, ratio %.2f  %s%n",
            w.name(), strategy, row.predicted(), row.median(), row.p90(), row.ratio(), row.layout());
        writeTable(rows);
      }
    }
    System.out.println(table(rows));
    List<String> misses = new ArrayList<>();
    for (Row r : rows) {
      if (r.seconds().isEmpty()) continue;
      if (Math.abs(r.ratio() - 1) > TOLERANCE) {
        misses.add(String.format(Locale.ROOT, "%s/%s: measured median %.3f s vs predicted %.3f s (ratio %.2f)",
            r.workload().name(), r.strategy(), r.median(), r.predicted(), r.ratio()));
      }
    }
    List<String> slower = new ArrayList<>();
    for (Workload w : workloads) {
      Row ilp = rows.stream().filter(r -> r.workload() == w && r.strategy().equals("jointIlp")).findFirst().orElseThrow();
      for (Row r : rows) {
        // a baseline that chose the ILP's very plan runs the same pods: a tie, not a loss
        if (r.workload() != w || r == ilp || r.seconds().isEmpty() || r.planId().equals(ilp.planId())) continue;
        if (r.median() < ilp.median()) {
          slower.add(String.format(Locale.ROOT, "%s: %s measured %.3f s, the ILP's plan %.3f s",
              w.name(), r.strategy(), r.median(), ilp.median()));
        }
      }
    }
    List<String> verdict = new ArrayList<>();
    misses.forEach(m -> verdict.add("outside ±" + Math.round(TOLERANCE * 100) + "%: " + m));
    slower.forEach(m -> verdict.add("faster than the ILP: " + m));
    Files.writeString(out.resolve("verdict.txt"), verdict.isEmpty() ? "all within ±20%, the ILP fastest\n" : String.join("\n", verdict) + "\n",
        StandardCharsets.UTF_8);
    verdict.forEach(v -> System.out.println("[closed-loop] NOT MET " + v));
    // Strict (bench e2e) holds the claim itself; CI runs the same loop on a shared 2-core machine,
    // where every other build steals the nodes' CPU, and holds the mechanics: every plan rolled
    // out, served complete answers and was measured.
    if (strict) {
      assertThat(misses).as("plans whose measured median is outside ±%d%% of the prediction", Math.round(TOLERANCE * 100)).isEmpty();
      assertThat(slower).as("baselines measured faster than the ILP's plan").isEmpty();
    }
    assertThat(rows).hasSize(workloads.size() * STRATEGIES.size())
        .allSatisfy(r -> assertThat(r.seconds()).as("%s/%s: %s", r.workload().name(), r.strategy(), r.layout())
            .satisfiesAnyOf(x -> assertThat(x).isEmpty(), x -> assertThat(x).hasSize(requests)));
  }

  /**
   * Mid-run, the busiest cut's link gets ten times slower, for real (HTB). The prober must see it
   * within two of the link's probe intervals and the operator reprice the running plan. A small
   * model's cut carries little (about 360 bytes a token here), so a tenfold slower link may leave
   * the running plan the best, or better than any other by less than the policy's margin; the
   * operator then keeps it (and says so), and the link is slowed tenfold again, up to {@link
   * #STEPS} times (measured: a 1 Gbit/s cut slowed to 100, then 10 Mbit/s, still left the plan the
   * best, 0.378 s against 0.364 s before). Once the operator replans, the new pods must take
   * over and completion time recover to the new plan's prediction, while a client keeps sending
   * requests, none of which may fail.
   */
  static final int STEPS = 3;

  @Test
  void aTenfoldSlowerLinkIsMeasuredReplannedAndRecoveredWithoutFailedRequests() throws Exception {
    Workload w = WORKLOADS.get(2);
    Row before = measure(w, "jointIlp");
    LLMDeployment d = client.resources(LLMDeployment.class).inNamespace(NAMESPACE).withName(NAME).get();
    var hops = d.getStatus().links();
    assertThat(hops).as("the ILP's plan for %s crosses a link (%s)", w.name(), before.layout()).isNotEmpty();
    // the slowest hop carrying activations (the way back to the origin carries one token id)
    var busiest = hops.stream().filter(l -> !l.to().equals(ORIGIN) && l.bandwidthMbps() != null)
        .min(java.util.Comparator.comparingDouble(l -> l.bandwidthMbps())).orElseThrow();
    double rate = EdgeTopology.rateMbps(busiest.from(), busiest.to());
    String link = busiest.from() + "--" + busiest.to();
    Duration linkInterval = linkProbeInterval();
    long[] prompt = random.ints(w.prompt(), 4, 4000).asLongStream().toArray();
    // an interactive client: a request, a pause to read, the next
    SteadyClient asking = new SteadyClient("closed-loop-load", () -> complete(prompt, w.output()), Duration.ofSeconds(1), e -> {});
    asking.start();
    List<String> steps = new ArrayList<>();
    try {
      Thread.sleep(3000);
      Instant throttled = Instant.now();
      Instant detected = null;
      Optional<PlanStatus> replanned = Optional.empty();
      double shaped = rate;
      for (int step = 1; step <= STEPS && replanned.isEmpty(); step++) {
        double measuredBefore = client.resources(EdgeLink.class).withName(link).get().getSpec().bandwidthMbps();
        shaped = shaped / 10;
        Instant slowed = Instant.now();
        topology.setRate(busiest.from(), busiest.to(), shaped);
        System.out.printf(Locale.ROOT, "[closed-loop] throttled %s to %.1f Mbit/s (measured %.2f before)%n", link, shaped, measuredBefore);
        Instant seen = poll(Duration.ofMinutes(5), "the prober measuring " + link + " slower", () -> {
          EdgeLink l = client.resources(EdgeLink.class).withName(link).get();
          return l.getSpec().bandwidthMbps() < measuredBefore / 3 ? Instant.now() : null;
        });
        if (detected == null) detected = seen;
        report("throttle to " + shaped + " Mbit/s -> prober measured it", Duration.between(slowed, seen));
        assertThat(Duration.between(slowed, seen))
            .as("throttle -> the new figure in EdgeLink %s, against two of a link's probe intervals (%s each: one peer per %s)",
                link, linkInterval, DemoInstall.PROBE_INTERVAL)
            .isLessThanOrEqualTo(linkInterval.multipliedBy(2));
        // a stabilisation window (10 s) and a few reconciles past the new figure
        replanned = watch.awaitPlanOtherThan(before.planId(), Duration.ofSeconds(step < STEPS ? 40 : 300));
        String decision = replanned.isPresent() ? "replanned to " + replanned.get().planId() : "kept: " + watch.keptPlanReason();
        steps.add(String.format(Locale.ROOT, "%.1f Mbit/s seen %.0f s after, %s", shaped, secondsBetween(slowed, seen), decision));
        System.out.println("[closed-loop] " + steps.get(steps.size() - 1));
      }
      PlanStatus after = replanned.orElseThrow(() -> new AssertionError(
          "no plan other than " + before.planId() + " after " + String.join("; ", steps) + "\n" + watch.measuredEdge()));
      Instant planned = Instant.now();
      watch.awaitServing(Duration.ofMinutes(8));
      Instant serving = Instant.now();
      double predicted = after.predicted().totalSeconds();
      // recovered: three requests in a row that began after the switch, their median within 20 %
      Instant recovered = poll(Duration.ofMinutes(3), "completion time back within 20% of " + predicted + " s", () -> {
        List<Double> since = asking.samples().stream().filter(x -> !x.failed() && x.began().isAfter(serving))
            .map(SteadyClient.Sample::seconds).toList();
        if (since.size() < 3) return null;
        List<Double> last = since.subList(since.size() - 3, since.size()).stream().sorted().toList();
        return Math.abs(last.get(1) / predicted - 1) <= TOLERANCE ? Instant.now() : null;
      }, () -> samplesSince(asking, serving) + "\n" + watch.measuredEdge());
      asking.stop();
      List<String> failures = asking.samples().stream().filter(SteadyClient.Sample::failed).map(x -> x.ended() + ": " + x.failure()).toList();
      report("throttle -> prober measured it", Duration.between(throttled, detected));
      report("throttle -> new plan", Duration.between(throttled, planned));
      report("throttle -> new plan serving", Duration.between(throttled, serving));
      report("throttle -> completion time recovered", Duration.between(throttled, recovered));
      String line = String.format(Locale.ROOT,
          "degradation: %s %s Mbit/s -> %s; plan %s (%s, predicted %.3f s) -> %s (%s, predicted %.3f s); "
              + "detected %.0f s, new plan %.0f s, serving %.0f s, recovered %.0f s after the first throttle; %d requests, %d failed",
          link, rate, String.join("; ", steps), before.planId(), before.layout(), before.predicted(), after.planId(), PlanTable.layout(after),
          predicted, secondsBetween(throttled, detected), secondsBetween(throttled, planned), secondsBetween(throttled, serving),
          secondsBetween(throttled, recovered), asking.samples().size(), failures.size());
      System.out.println("[closed-loop] " + line);
      Files.writeString(out.resolve("degradation.txt"), line + "\n" + String.join("\n", failures) + "\n", StandardCharsets.UTF_8);
      appendTimings(String.format(Locale.ROOT, "degradation: %d requests, %d failed", asking.samples().size(), failures.size()));
      // None failing is the claim (strict, as in bench e2e). CI holds the mechanics above: a
      // plan that needs the memory its predecessor holds is rolled out by replacing it, and its
      // requests fail meanwhile (66 of 88 in one run, 2026-12-04; operator/RELIABILITY.md).
      if (strict) assertThat(failures).as("requests failed during the degradation").isEmpty();
    } finally {
      asking.stop();
      topology.setRate(busiest.from(), busiest.to(), rate);
    }
  }

  /**
   * Someone else's busy loops land on the node that holds the most layers. Its prober publishes the
   * smaller share left to Dilemma, and the operator moves layers off the node. Once the hog is gone
   * the share comes back, and after the stabilisation window the operator searches again: the
   * layers come back, or, when the way back is not the replan policy's 10 % faster (two nodes of
   * 30.6 and 27.5 GFLOP/s were seen), its {@code status.lastEvaluation} says it kept the plan.
   * Either way the plan then stays put: no oscillation. Nothing is typed in; the probers measure it all.
   */
  @Test
  void aCpuHogOnTheNodeWithTheMostLayersMovesThemOffAndTheyComeBackOnceItIsGone() throws Exception {
    Workload w = WORKLOADS.get(0); // decode-bound: the layers go where the compute is
    measure(w, "jointIlp");
    PlanStatus before = deployment().getStatus().plan();
    String node = before.shards().stream().collect(java.util.stream.Collectors.groupingBy(PlanStatus.ShardStatus::node,
            java.util.stream.Collectors.summingInt(sh -> sh.bits().size())))
        .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    int layersBefore = layersOn(before, node);
    System.out.printf(Locale.ROOT, "[closed-loop] hog: plan %s (%s), %d layers on %s%n", before.planId(), PlanTable.layout(before),
        layersBefore, node);
    // a shard's weight (250m): the node's CPU split with the job, so that a shard the new plan
    // starts there (the origin keeps the head) still comes up; 1500m left it 3 % of a core, and the
    // head of the plan that moved the layers off did not start in 8 minutes
    CpuHog hog = new CpuHog(client, NAMESPACE, node, "dilemma/shard-worker:" + target.imageTag(), "250m");
    Instant started = Instant.now();
    hog.inflict();
    PlanStatus moved;
    Instant seen;
    Instant planned;
    try {
      String detected = poll(Duration.ofMinutes(5), "the prober publishing a smaller share on " + node, hog::detected, watch::measuredEdge);
      seen = Instant.now();
      System.out.println("[closed-loop] hog seen: " + detected);
      moved = poll(Duration.ofMinutes(3), "a plan with fewer than " + layersBefore + " layers on " + node, () -> {
        PlanStatus p = deployment().getStatus().plan();
        return p != null && layersOn(p, node) < layersBefore ? p : null;
      }, watch::measuredEdge);
      planned = Instant.now();
      watch.awaitServing(Duration.ofMinutes(8));
    } finally {
      hog.remove();
    }
    Instant removed = Instant.now();
    System.out.printf(Locale.ROOT, "[closed-loop] hog: moved to %s (%s, predicted %.3f s), %d layers on %s; hog removed%n",
        moved.planId(), PlanTable.layout(moved), moved.predicted().totalSeconds(), layersOn(moved, node), node);
    poll(Duration.ofMinutes(5), "the prober publishing " + node + "'s share back", () -> hog.share() > 0.9 ? Boolean.TRUE : null,
        watch::measuredEdge);
    Instant shareBack = Instant.now();
    // The plan comes back unless the replan policy's hysteresis keeps the one that moved: when the
    // way back is not 10 % faster, the operator's search says so in status.lastEvaluation. A search
    // made up to a second before the test saw the share (it polls every 250 ms) already had it.
    Instant searchedSince = shareBack.minusSeconds(1);
    Object verdict = poll(Duration.ofMinutes(3), "layers back on " + node + ", or the operator's Kept verdict on the restored share", () -> {
      var status = deployment().getStatus();
      PlanStatus p = status.plan();
      if (p != null && layersOn(p, node) > layersOn(moved, node)) return p;
      var evaluation = status.lastEvaluation();
      boolean keptSince = evaluation != null && "Kept".equals(evaluation.decision()) && !Instant.parse(evaluation.time()).isBefore(searchedSince);
      return keptSince ? evaluation : null;
    }, watch::measuredEdge);
    PlanStatus back = verdict instanceof PlanStatus p ? p : deployment().getStatus().plan();
    String outcome = verdict instanceof io.dilemma.api.PlanEvaluationStatus kept
        ? "kept by the replan policy: " + kept.message()
        : "layers back";
    System.out.println("[closed-loop] hog removed, share back: " + outcome);
    Instant returned = Instant.now();
    watch.awaitServing(Duration.ofMinutes(8));
    // settled: over a minute (twelve probe intervals, six stabilisation windows) the plan stays
    List<String> plans = new ArrayList<>();
    Instant until = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(until)) {
      String id = deployment().getStatus().plan().planId();
      if (plans.isEmpty() || !plans.get(plans.size() - 1).equals(id)) plans.add(id);
      Thread.sleep(2000);
    }
    report("hog -> prober published the smaller share", Duration.between(started, seen));
    report("hog -> plan with layers moved off", Duration.between(started, planned));
    report("hog removed -> share back", Duration.between(removed, shareBack));
    report("hog removed -> " + (verdict instanceof PlanStatus ? "layers back" : "Kept verdict"), Duration.between(removed, returned));
    String line = String.format(Locale.ROOT,
        "foreign load on %s: %d layers (%s, %.3f s) -> %d (%s, %.3f s) -> %d (%s, %.3f s); seen %.0f s, moved %.0f s after the hog; "
            + "share back %.0f s, %s %.0f s after it went; plans over the next minute %s",
        node, layersBefore, before.planId(), before.predicted().totalSeconds(), layersOn(moved, node), moved.planId(),
        moved.predicted().totalSeconds(), layersOn(back, node), back.planId(), back.predicted().totalSeconds(),
        secondsBetween(started, seen), secondsBetween(started, planned), secondsBetween(removed, shareBack),
        outcome, secondsBetween(removed, returned), plans);
    System.out.println("[closed-loop] " + line);
    Files.writeString(out.resolve("foreign-load.txt"), line + "\n", StandardCharsets.UTF_8);
    assertThat(plans).as("the plan after the hog went, over a minute").hasSize(1);
  }

  /**
   * How often one link is probed: each prober probes one peer per {@code --probe-interval}, in
   * turn, so its link to a given peer comes up once every (peers × interval).
   */
  private Duration linkProbeInterval() {
    long probers = client.pods().inNamespace(SYSTEM_NAMESPACE).withLabel("app.kubernetes.io/component", "prober").list().getItems().size();
    assertThat(probers).as("prober pods in %s", SYSTEM_NAMESPACE).isGreaterThan(1);
    return DemoInstall.PROBE_INTERVAL.multipliedBy(probers - 1);
  }

  /** What the client saw since the new plan served: counts, the last times, the last failure. */
  private static String samplesSince(SteadyClient client, Instant serving) {
    List<SteadyClient.Sample> since = client.samples().stream().filter(x -> x.began().isAfter(serving)).toList();
    List<String> lastTimes = since.stream().filter(x -> !x.failed()).map(x -> String.format(Locale.ROOT, "%.3f", x.seconds()))
        .toList();
    String lastFailure = since.stream().filter(SteadyClient.Sample::failed).reduce((a, b) -> b)
        .map(x -> x.ended() + ": " + x.failure()).orElse("none");
    return String.format(Locale.ROOT, "requests begun after the new plan served at %s: %d ok, %d failed; last ok times (s) %s; last failure %s",
        serving, since.stream().filter(x -> !x.failed()).count(), since.stream().filter(SteadyClient.Sample::failed).count(),
        lastTimes.subList(Math.max(0, lastTimes.size() - 8), lastTimes.size()), lastFailure);
  }

  private static int layersOn(PlanStatus plan, String node) {
    return plan.shards().stream().filter(sh -> node.equals(sh.node())).mapToInt(sh -> sh.bits().size()).sum();
  }

  private LLMDeployment deployment() {
    return client.resources(LLMDeployment.class).inNamespace(NAMESPACE).withName(NAME).get();
  }

  private static double secondsBetween(Instant a, Instant b) {
    return Duration.between(a, b).toMillis() / 1e3;
  }

  // ---------------------------------------------------------------------------------------------

  /** Rolls the strategy's plan for the workload out (or keeps it, when unchanged) and times it. */
  private Row measure(Workload w, String strategy) throws Exception {
    Instant applied = Instant.now();
    apply(w, strategy);
    Optional<String> refused = watch.awaitPlannedOrRefused(Duration.ofMinutes(2));
    if (refused.isPresent()) {
      // a baseline rule may break a constraint (memory, say): that is a result, not a failure
      assertThat(strategy).as("the ILP must plan %s: %s", w.name(), refused.get()).isNotEqualTo("jointIlp");
      return new Row(w, strategy, "-", "no plan: " + refused.get(), Double.NaN, List.of());
    }
    PlanStatus plan = watch.awaitServing(Duration.ofMinutes(8));
    report("apply " + w.name() + "/" + strategy + " -> serving", Duration.between(applied, Instant.now()));
    long[] prompt = random.ints(w.prompt(), 4, 4000).asLongStream().toArray();
    // The first request pays the JIT and ONNX Runtime's first-run allocations, as no later one
    // does. It is retried: after a rollout that replaced the previous plan, the head Service was
    // seen refusing connections while the status already said Ready (RELIABILITY.md).
    Instant ready = Instant.now();
    poll(Duration.ofSeconds(90), "the head Service answering a completion for " + w.name() + "/" + strategy, () -> {
      try {
        complete(prompt, w.output());
        return Boolean.TRUE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (Exception notYet) {
        // refused, or an HTTP error from a head not yet serving: poll tries again, and names
        // the last one if it lasts
        throw new IllegalStateException(notYet);
      }
    });
    report("Ready -> " + w.name() + "/" + strategy + " answered a completion", Duration.between(ready, Instant.now()));
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      long start = System.nanoTime();
      int tokens = complete(prompt, w.output());
      seconds.add((System.nanoTime() - start) / 1e9);
      assertThat(tokens).as("completion tokens of %s/%s", w.name(), strategy).isEqualTo(w.output());
    }
    return new Row(w, strategy, plan.planId(), PlanTable.layout(plan), plan.predicted().totalSeconds(), seconds);
  }

  private void apply(Workload w, String strategy) {
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
              persistentVolumeClaim:
                claimName: %s
                path: %s
          workload:
            promptTokens: %d
            outputTokens: %d
          quality:
            metric: normalizedError
            budget: 0.3
          allowedBits: %s
          placement:
            nodeSelector:
              dilemma.io/pool: office
            originNode: %s
            keepTokensOnOrigin: true
          replanPolicy:
            minRelativeImprovement: 0.1
            stabilizationWindowSeconds: 10
          solver:
            timeLimitSeconds: 10
            strategy: %s
          worker:
            image: dilemma/shard-worker:%s
        """.formatted(NAME, NAMESPACE, ExperimentModel.NAME, NAME, VOLUME, ExperimentModel.NAME, w.prompt(), w.output(),
        ExperimentModel.BITS, ORIGIN, strategy, target.imageTag());
    LLMDeployment d = client.resources(LLMDeployment.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
    install.apply(d);
  }

  /** One completion through the head Service; returns the completion tokens the head reports. */
  private int complete(long[] prompt, int maxTokens) throws Exception {
    Service head = client.services().inNamespace(NAMESPACE).withName(NAME).get();
    URI url = target.serviceUrl(head, 80).resolve("/v1/completions");
    var body = JSON.createObjectNode();
    var ids = body.putArray("prompt");
    for (long id : prompt) ids.add(id);
    body.put("max_tokens", maxTokens).put("temperature", 0);
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + response.statusCode() + " from " + url + ": " + response.body());
    }
    JsonNode json = JSON.readTree(response.body());
    return json.path("usage").path("completion_tokens").asInt(json.path("choices").path(0).path("tokens").size());
  }

  static String table(List<Row> rows) {
    StringBuilder b = new StringBuilder(
        "| workload (p, n) | plan | layout | predicted | measured median | p90 | median ÷ predicted |\n"
            + "| --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows) {
      if (r.seconds().isEmpty()) {
        b.append(String.format(Locale.ROOT, "| %s (%d, %d) | %s | %s | — | — | — | — |%n",
            r.workload().name(), r.workload().prompt(), r.workload().output(), r.strategy(), r.layout()));
        continue;
      }
      b.append(String.format(Locale.ROOT, "| %s (%d, %d) | %s | %s | %.3f s | %.3f s | %.3f s | %.2f |%n",
          r.workload().name(), r.workload().prompt(), r.workload().output(), r.strategy(), r.layout(),
          r.predicted(), r.median(), r.p90(), r.ratio()));
    }
    return b.toString();
  }

  private void writeTable(List<Row> rows) throws Exception {
    Files.writeString(out.resolve("predicted-vs-measured.md"), table(rows), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // the edge, measured

  /** The figures the cluster script typed into the labels go: only the probers' may plan. */
  private void forgetTypedFigures() {
    for (Node node : client.nodes().list().getItems()) {
      Map<String, String> typed = new HashMap<>();
      for (String key : List.of("dilemma.io/gflops", "dilemma.io/memory-bandwidth-gbps")) {
        String v = node.getMetadata().getLabels().get(key);
        if (v != null) typed.put(key, v);
      }
      typedLabels.put(node.getMetadata().getName(), typed);
      client.nodes().withName(node.getMetadata().getName()).edit(n -> {
        n.getMetadata().getLabels().keySet().removeAll(typed.keySet());
        return n;
      });
    }
    client.resources(EdgeLink.class).list().getItems().forEach(l -> client.resource(l).delete());
  }

  // ---------------------------------------------------------------------------------------------
  // installation

  private void installChart() throws Exception {
    Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(target.kubeconfig()).ignoreNotFound().call();
    poll(Duration.ofMinutes(3), "namespace " + SYSTEM_NAMESPACE + " not terminating", () -> {
      var ns = client.namespaces().withName(SYSTEM_NAMESPACE).get();
      return ns == null || ns.getMetadata().getDeletionTimestamp() == null ? Boolean.TRUE : null;
    });
    install.chartReady(Duration.ofSeconds(300));
  }

  private void prepareNamespace() throws Exception {
    deleteNamespace(NAMESPACE);
    // Models are staged on the nodes' disks, as edge boxes with slow uplinks keep them: every node
    // of this cluster is this machine, so one hostPath volume is every node's copy.
    String hostDir = target.publishModel(model.dir(), ExperimentModel.NAME);
    install.namespace(model.profileJson(), Path.of(hostDir));
  }

  private void deleteNamespace(String namespace) {
    if (client.namespaces().withName(namespace).get() == null) return;
    client.namespaces().withName(namespace).delete();
    poll(Duration.ofMinutes(3), "namespace " + namespace + " gone",
        () -> client.namespaces().withName(namespace).get() == null ? Boolean.TRUE : null);
  }

  private static List<Workload> selectedWorkloads() {
    String names = System.getProperty("dilemma.experiment.workloads", "");
    if (names.isBlank()) return WORKLOADS;
    List<String> wanted = List.of(names.split(","));
    return WORKLOADS.stream().filter(w -> wanted.contains(w.name())).toList();
  }
}
