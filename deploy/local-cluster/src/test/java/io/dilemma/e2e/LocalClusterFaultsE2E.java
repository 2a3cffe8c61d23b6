package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAccumulator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults on the real local cluster, each in its own namespace: a shard killed mid-generation, a
 * node's kubelet stopped until the node is NotReady, the leading operator pod killed mid-rollout
 * with two replicas, the API server restarted, and 64 sessions held while a replan rolls out. Each
 * checks that no request hangs past its timeout, that errors name what failed, that the deployment
 * recovers, and that nothing of an old plan (objects, pods, KV sessions) is left; each reports its
 * times to recovery in target/e2e-timings.txt.
 *
 * <p>The chart runs two operator replicas here (only the Lease holder reconciles).
 *
 * <p>The API server restart runs last, so that a failure after it is not blamed on the scenarios
 * before it. The node scenario failed three times on 2026-12-02 (a lost node the leader kept
 * pricing as Ready, see operator/RELIABILITY.md) and has passed every run since; CI runs it. CI
 * leaves out the 64-session scenario: it lost one request of 7,408 across the head's switch once
 * (the open defect in operator/RELIABILITY.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterFaultsE2E extends RealClusterHarness {
  /** Long enough that the kill lands mid-stream, short enough for the KV the workload plans (256 + 32). */
  private static final int LONG_GENERATION = 250;
  private static final Duration CLIENT_CAP = Duration.ofSeconds(60);

  private LocalCluster cluster;

  @Override
  ClusterTarget startTarget() throws Exception {
    cluster = LocalCluster.fromSystemProperties();
    return cluster;
  }

  @Override
  Map<String, Object> chartValues() {
    return Map.of("replicas", 2);
  }

  @Test
  void aShardKilledMidGenerationEndsTheStreamWithAnErrorNamingItAndTheDeploymentRecovers() throws Exception {
    try (Scenario s = new Scenario("fault-shard")) {
      s.apply();
      PlanStatus plan = s.awaitReady(Duration.ofMinutes(6));
      s.awaitServing();
      int last = plan.shards().size() - 1;
      assertThat(last).as("a chain of at least two shards: %s", plan.shards()).isPositive();
      Pod victim = s.shardPod(plan.planId(), last);
      AtomicReference<Instant> killed = new AtomicReference<>();
      AtomicReference<Exception> killFailure = new AtomicReference<>();
      StreamOutcome outcome = s.stream(PROMPT, LONG_GENERATION, () -> {
        try {
          killed.set(Instant.now());
          target.killContainer(victim, "shard-worker");
        } catch (Exception e) {
          killFailure.set(e);
        }
      }, CLIENT_CAP);
      Instant streamEnded = Instant.now();
      assertThat(killFailure.get()).as("the kill itself").isNull();
      assertThat(killed.get()).as("a token arrived before the kill (outcome %s)", outcome).isNotNull();
      assertThat(outcome.ending())
          .as("the stream in flight when shard %d died (%d of %d tokens came): %s", last, outcome.tokens(), LONG_GENERATION, outcome)
          .isEqualTo("error event");
      assertThat(outcome.error().path("shard").asInt(-1)).as("the error names the lost shard: %s", outcome.error()).isEqualTo(last);
      report("shard kill mid-stream -> stream ends with the error", Duration.between(killed.get(), streamEnded));

      // requests sent while the shard is down fail fast and say why, until it is back
      Load during = new Load(s, 2, 4, 200);
      during.start();
      try {
        poll(Duration.ofMinutes(1), "Ready=False after the kill", () -> conditionTrue(s.get(), "Ready") ? null : Boolean.TRUE);
        Instant notReady = Instant.now();
        String degraded = poll(Duration.ofMinutes(1), "Degraded=True after the kill", () ->
            condition(s.get(), "Degraded").filter(c -> "True".equals(c.getStatus())).map(Condition::getReason).orElse(null));
        Instant degradedAt = Instant.now();
        s.awaitReady(Duration.ofMinutes(3));
        Instant readyAgain = Instant.now();
        poll(Duration.ofMinutes(1), "a completion after recovery", () -> {
          try {
            return s.complete(PROMPT, MAX_TOKENS);
          } catch (Exception e) {
            return null;
          }
        });
        Instant serving = Instant.now();
        assertThat(degraded).isEqualTo("ServingShardLost");
        report("shard kill -> Ready=False", Duration.between(killed.get(), notReady));
        report("shard kill -> Degraded=True (ServingShardLost)", Duration.between(killed.get(), degradedAt));
        report("shard kill -> Ready again", Duration.between(killed.get(), readyAgain));
        report("shard kill -> completion served again", Duration.between(killed.get(), serving));
      } finally {
        during.stop();
      }
      appendTimings(String.format("shard kill: %d requests while recovering, %d failed, slowest failure named: %s",
          during.ok.get() + during.failed.get(), during.failed.get(), during.errors.isEmpty() ? "-" : during.errors.get(0)));
      for (String error : during.errors) {
        assertThat(error).as("a request failed while the shard was down").doesNotContain("HttpTimeoutException").contains("shard");
      }
      assertThat(s.complete(PROMPT, MAX_TOKENS)).containsExactly(reference);
      assertNoSessionsLeft(s, plan.planId());
    }
  }

  @Test
  void aNodeWhoseKubeletStopsGoesNotReadyAndTheChainMovesOffItWithoutAFailedRequest() throws Exception {
    try (Scenario s = new Scenario("fault-node")) {
      s.apply();
      PlanStatus before = s.awaitReady(Duration.ofMinutes(6));
      s.awaitServing();
      String lost = before.shards().stream().map(PlanStatus.ShardStatus::node).filter(n -> !n.equals(ORIGIN))
          .findFirst().orElseThrow(() -> new AssertionError("the plan uses only the origin: " + before.shards()));
      Load load = new Load(s);
      load.start();
      Instant stopped = Instant.now();
      cluster.stop("kubelet-" + lost);
      PlanStatus after;
      try {
        poll(Duration.ofMinutes(2), "node " + lost + " NotReady", () -> nodeReady(lost) ? null : Boolean.TRUE);
        report("kubelet stop -> node NotReady", Duration.between(stopped, Instant.now()));
        String degraded = poll(Duration.ofMinutes(2), "Degraded=True after the node was lost", () ->
            condition(s.get(), "Degraded").filter(c -> "True".equals(c.getStatus())).map(Condition::getReason).orElse(null),
            () -> s.describe() + operatorLogs());
        report("kubelet stop -> Degraded=True (" + degraded + ")", Duration.between(stopped, Instant.now()));
        after = s.awaitNewPlanServing(before.planId(), false, "a plan without " + lost + " serving");
        report("kubelet stop -> replanned without the node, serving", Duration.between(stopped, Instant.now()));
        load.stop();
        assertThat(degraded).isEqualTo("NodeLost");
        assertThat(after.shards()).extracting(PlanStatus.ShardStatus::node).doesNotContain(lost);
      } finally {
        load.stop();
        cluster.start("kubelet-" + lost);
      }
      Instant back = Instant.now();
      appendTimings(String.format("node lost: %d requests while it was replanned, %d failed", load.ok.get() + load.failed.get(), load.failed.get()));
      assertThat(load.failed.get()).as("failed requests while the chain moved off the node: %s", load.errors).isZero();
      // The old plan's pods on the lost node stay Terminating until its kubelet is back and stops
      // them. A 1.20 kubelet restarted under a Terminating pod whose ConfigMap and Secret are gone
      // retries their mounts instead of stopping it (seen here: Terminating for an hour); an admin
      // force-deletes such a pod, and the kubelet's housekeeping then stops its containers.
      boolean stuck = false;
      try {
        poll(Duration.ofMinutes(2), "the old plan's pods gone", () -> s.shardPods(before.planId()).isEmpty() ? Boolean.TRUE : null, s::describe);
      } catch (AssertionError kubeletStuck) {
        stuck = true;
        client.pods().inNamespace(s.namespace).withLabel("dilemma.io/plan", before.planId()).withGracePeriod(0).delete();
        poll(Duration.ofMinutes(1), "the old plan's pods gone after a forced delete", () -> s.shardPods(before.planId()).isEmpty() ? Boolean.TRUE : null, s::describe);
      }
      report("kubelet back -> the old plan's pods gone" + (stuck ? " (force-deleted after 2 min)" : ""), Duration.between(back, Instant.now()));
      poll(Duration.ofMinutes(1), "Degraded=False", () ->
          condition(s.get(), "Degraded").filter(c -> "False".equals(c.getStatus())).map(Condition::getReason).orElse(null));
      assertOnlyThePlanIsLeft(s, after);
      assertThat(s.complete(PROMPT, MAX_TOKENS)).containsExactly(reference);
      assertNoSessionsLeft(s, after.planId());
    }
  }

  @Test
  void killingTheLeadingOperatorPodMidRolloutMovesTheLeaseAndTheRolloutCompletes() throws Exception {
    List<Pod> operators = poll(Duration.ofMinutes(3), "two operator pods Ready", () -> {
      List<Pod> ready = operatorPods().stream().filter(RealClusterHarness::ready).toList();
      return ready.size() == 2 ? ready : null;
    });
    try (Scenario s = new Scenario("fault-operator")) {
      String leader = poll(Duration.ofMinutes(1), "the Lease held by an operator pod", () -> leaseHolderPod(operators));
      s.apply();
      // mid-rollout: planned, shard pods created, not all of them Ready yet
      PlanStatus plan = poll(Duration.ofMinutes(3), "a plan being rolled out", () -> {
        LLMDeployment d = s.get();
        if (d == null || d.getStatus() == null || d.getStatus().plan() == null) return null;
        List<Pod> pods = s.shardPods(d.getStatus().plan().planId());
        return !pods.isEmpty() && !pods.stream().allMatch(RealClusterHarness::ready) ? d.getStatus().plan() : null;
      });
      Instant killed = Instant.now();
      client.pods().inNamespace(SYSTEM_NAMESPACE).withName(leader).withGracePeriod(0).delete();
      String standby = poll(Duration.ofMinutes(2), "the Lease taken by the other replica", () -> {
        String holder = leaseHolderPod(operators);
        return holder != null && !holder.equals(leader) ? holder : null;
      });
      report("leader killed -> Lease taken by the standby", Duration.between(killed, Instant.now()));
      PlanStatus done = s.awaitReady(Duration.ofMinutes(6));
      report("leader killed -> LLMDeployment Ready", Duration.between(killed, Instant.now()));
      assertThat(standby).isNotEqualTo(leader);
      System.out.printf("[e2e] leader %s killed mid-rollout of %s; %s took over; serving %s%n", leader, plan.planId(), standby, done.planId());
      assertThat(s.awaitServing()).containsExactly(reference);
      assertOnlyThePlanIsLeft(s, done);
      poll(Duration.ofMinutes(1), "only the serving plan's pods", () ->
          s.pods().stream().allMatch(p -> done.planId().equals(p.getMetadata().getLabels().get("dilemma.io/plan"))) ? Boolean.TRUE : null, s::describe);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void restartingTheApiServerLeavesServingUntouchedAndTheOperatorActsOnTheNextChange() throws Exception {
    try (Scenario s = new Scenario("fault-apiserver")) {
      s.apply();
      PlanStatus before = s.awaitReady(Duration.ofMinutes(6));
      s.awaitServing();
      String link = before.shards().get(0).node() + "--" + before.shards().get(1).node();
      double mbps = client.resources(EdgeLink.class).withName(link).get().getSpec().bandwidthMbps();
      int restartsBefore = operatorRestarts();
      Load load = new Load(s);
      load.start();
      try {
        Instant down = Instant.now();
        cluster.stop("kube-apiserver");
        Thread.sleep(15_000);
        cluster.start("kube-apiserver");
        Instant up = Instant.now();
        report("API server down (stop -> serving again)", Duration.between(down, up));
        int servedWhileDown = load.ok.get();
        setBandwidth(link, mbps / 10);
        Instant changed = Instant.now();
        PlanStatus after = s.awaitNewPlanServing(before.planId(), true, "a new plan serving after the restart");
        report("API server back -> a link change replanned, new plan serving", Duration.between(changed, Instant.now()));
        load.stop();
        appendTimings(String.format("API server restart: %d requests (%d by the restart's end), %d failed; operator container restarts %d",
            load.ok.get() + load.failed.get(), servedWhileDown, load.failed.get(), operatorRestarts() - restartsBefore));
        assertThat(load.failed.get()).as("failed requests across the restart and the replan: %s", load.errors).isZero();
        assertOnlyThePlanIsLeft(s, after);
      } finally {
        load.stop();
        setBandwidth(link, mbps);
      }
    }
  }

  @Test
  void sixtyFourSessionsForSixtySecondsHoldWhileAReplanRollsOut() throws Exception {
    try (Scenario s = new Scenario("load-replan")) {
      s.apply(64);
      PlanStatus before = s.awaitReady(Duration.ofMinutes(6));
      s.awaitServing();
      String link = before.shards().get(0).node() + "--" + before.shards().get(1).node();
      double mbps = client.resources(EdgeLink.class).withName(link).get().getSpec().bandwidthMbps();
      Load load = new Load(s, 64, MAX_TOKENS, 0);
      KvWatch kv = new KvWatch(s);
      load.start();
      kv.start();
      try {
        Thread.sleep(15_000);
        setBandwidth(link, mbps / 10);
        Instant changed = Instant.now();
        PlanStatus after = s.awaitNewPlanServing(before.planId(), true, "the new plan serving, the old one gone");
        report("64 sessions: link change -> new plan serving, old gone", Duration.between(changed, Instant.now()));
        long left = 60_000 - Duration.between(load.started, Instant.now()).toMillis();
        if (left > 0) Thread.sleep(left);
        load.stop();
        kv.stop();
        String line = String.format(
            "64 sessions for %.0f s across a replan (%s -> %s): %d ok, %d failed, p50 / p99 %d / %d ms, %.1f completions/s; KV peak %.2f of its bound, %d evicted",
            Duration.between(load.started, load.stopped).toMillis() / 1000.0, before.planId(), after.planId(),
            load.ok.get(), load.failed.get(), load.quantileMillis(0.5), load.quantileMillis(0.99), load.completionsPerSecond(),
            kv.peakRatio.get(), (long) kv.evicted.get());
        System.out.println("[e2e] " + line);
        appendTimings(line);
        assertThat(load.failed.get()).as("failed requests: %s", load.errors).isZero();
        assertThat(kv.peakRatio.get()).as("KV cache bytes over its limit, at the peak").isLessThanOrEqualTo(1.0);
        assertThat(kv.samples).as("KV samples read from the shards").isPositive();
      } finally {
        load.stop();
        kv.stop();
        setBandwidth(link, mbps);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Samples every shard's KV cache bytes against its limit, once a second, keeping the peak. */
  private static final class KvWatch {
    final Scenario scenario;
    final DoubleAccumulator peakRatio = new DoubleAccumulator(Math::max, 0);
    final DoubleAccumulator evicted = new DoubleAccumulator(Math::max, 0);
    volatile int samples;
    volatile boolean running;
    Thread thread;

    KvWatch(Scenario scenario) {
      this.scenario = scenario;
    }

    void start() {
      running = true;
      thread = new Thread(() -> {
        while (running) {
          for (Pod pod : scenario.pods()) {
            if (pod.getStatus() == null || pod.getStatus().getPodIP() == null || !ready(pod)) continue;
            try {
              double limit = scenario.podMetric(pod, "dilemma_kv_cache_limit_bytes");
              if (limit > 0) {
                peakRatio.accumulate(scenario.podMetric(pod, "dilemma_kv_cache_bytes") / limit);
                evicted.accumulate(scenario.podMetric(pod, "dilemma_sessions_evicted_total"));
                samples++;
              }
            } catch (Exception stoppingPod) {
              // a pod of the old plan going away: the next round reads the new ones
            }
          }
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "e2e-kv-watch");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      if (thread != null) thread.join(10_000);
    }
  }

  /** Every shard of the plan holds no KV session once no request is in flight. */
  private void assertNoSessionsLeft(Scenario s, String planId) {
    poll(Duration.ofSeconds(30), "no KV session left on the shards of " + planId, () -> {
      for (Pod pod : s.shardPods(planId)) {
        try {
          if (s.podMetric(pod, "dilemma_kv_cache_bytes") != 0) return null;
        } catch (Exception e) {
          return null;
        }
      }
      return Boolean.TRUE;
    }, s::describe);
  }

  /** Every plan-specific object the deployment owns belongs to the given plan, one Deployment per shard. */
  private void assertOnlyThePlanIsLeft(Scenario s, PlanStatus plan) {
    poll(Duration.ofMinutes(1), "only plan " + plan.planId() + "'s objects left", () -> {
      List<HasMetadata> owned = s.owned();
      boolean onlyThisPlan = owned.stream()
          .map(o -> o.getMetadata().getLabels().get("dilemma.io/plan"))
          .filter(Objects::nonNull)
          .allMatch(plan.planId()::equals);
      long deployments = owned.stream().filter(o -> o.getKind().equals("Deployment")).count();
      return onlyThisPlan && deployments == plan.shards().size() ? Boolean.TRUE : null;
    }, () -> s.owned().stream().map(o -> o.getKind() + " " + o.getMetadata().getName() + " " + o.getMetadata().getLabels()).toList().toString());
  }

  private boolean nodeReady(String node) {
    var n = client.nodes().withName(node).get();
    return n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private List<Pod> operatorPods() {
    return client.pods().inNamespace(SYSTEM_NAMESPACE)
        .withLabel("app.kubernetes.io/component", "operator").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /** The operator pod whose process holds the Lease (its identity is the pod's hostname and a random suffix). */
  private String leaseHolderPod(List<Pod> candidates) {
    var lease = client.leases().inNamespace(SYSTEM_NAMESPACE).withName("dilemma-operator").get();
    if (lease == null || lease.getSpec().getHolderIdentity() == null) return null;
    String holder = lease.getSpec().getHolderIdentity();
    List<Pod> all = new java.util.ArrayList<>(candidates);
    all.addAll(operatorPods());
    return all.stream().map(p -> p.getMetadata().getName()).filter(n -> holder.startsWith(n + "-")).findFirst().orElse(null);
  }

  private int operatorRestarts() {
    return operatorPods().stream()
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .mapToInt(c -> c.getRestartCount())
        .sum();
  }
}
