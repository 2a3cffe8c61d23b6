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
 * The serving scenarios every real cluster runs (the local multi-node cluster and k3s): planned
 * nodes serving the single-process tokens, a slower link moving the chain make-before-break under
 * requests, a killed container coming back, and deletion leaving nothing behind.
 */
abstract class ServingOnRealKubernetes extends RealClusterHarness {
  // ---------------------------------------------------------------------------------------------
  // scenarios
  // ---------------------------------------------------------------------------------------------

  @Test
  void shardsRunOnTheirPlannedNodesAndServeTheReferenceTokens() throws Exception {
    try (Scenario s = new Scenario("e2e-serve")) {
      Instant applied = Instant.now();
      s.apply();
      PlanStatus plan = s.awaitReady(Duration.ofMinutes(6));
      Instant ready = Instant.now();
      // the chain spans nodes wherever there are several (k3s in a container has one)
      assertThat(plan.shards()).as("plan %s", plan).hasSizeGreaterThanOrEqualTo(Math.min(2, nodeCount()));
      for (PlanStatus.ShardStatus shard : plan.shards()) {
        Pod pod = s.shardPod(plan.planId(), shard.index());
        assertThat(pod.getSpec().getNodeName()).as("shard %d", shard.index()).isEqualTo(shard.node());
        assertThat(ready(pod)).as("pod %s Ready", pod.getMetadata().getName()).isTrue();
        Duration startToReady = Duration.between(
            Instant.parse(pod.getStatus().getStartTime()), Instant.parse(readySince(pod)));
        report("pod start -> Ready, shard " + shard.index() + " on " + shard.node(), startToReady);
      }
      long[] served = s.awaitServing();
      Instant firstToken = Instant.now();
      assertThat(served).as("tokens through the head Service vs the single-process reference").containsExactly(reference);
      assertThat(s.complete(SECOND_PROMPT, MAX_TOKENS)).containsExactly(secondReference);
      // A pod bound too tight for its JVM is OOM-killed on its first request and comes back, so
      // everything above can pass on a restarted container; the memory bound must hold from the start.
      for (PlanStatus.ShardStatus shard : plan.shards()) {
        Pod pod = s.shardPod(plan.planId(), shard.index());
        assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount())
            .as("restarts of shard %d (last state %s)", shard.index(), pod.getStatus().getContainerStatuses().get(0).getLastState())
            .isZero();
      }
      System.out.printf("[e2e] plan %s: %s; cuts at rho %s%n", plan.planId(),
          plan.shards().stream().map(x -> x.index() + "@" + x.node() + " layers " + x.firstLayer() + ".." + x.lastLayer()).toList(),
          plan.shards().stream().map(PlanStatus.ShardStatus::outgoingRho).toList());
      report("apply -> LLMDeployment Ready", Duration.between(applied, ready));
      report("apply -> first served completion", Duration.between(applied, firstToken));
    }
  }

  @Test
  void aTenfoldSlowerLinkMovesTheChainMakeBeforeBreakWhileRequestsSucceed() throws Exception {
    try (Scenario s = new Scenario("e2e-link")) {
      s.apply();
      org.junit.jupiter.api.Assumptions.assumeTrue(nodeCount() >= 3, "a link change needs a chain across nodes");
      PlanStatus before = s.awaitReady(Duration.ofMinutes(6));
      assertThat(before.shards()).hasSizeGreaterThanOrEqualTo(2);
      String from = before.shards().get(0).node();
      String to = before.shards().get(1).node();
      String link = from + "--" + to;
      assertThat(condition(s.get(), "Degraded").map(Condition::getReason)).as("links are fresh").contains("AsMeasured");
      EdgeLink original = client.resources(EdgeLink.class).withName(link).get();
      assertThat(original).as("EdgeLink %s", link).isNotNull();
      Load load = new Load(s);
      try {
        load.start();
        Thread.sleep(2000);
        setBandwidth(link, original.getSpec().bandwidthMbps() / 10);
        Instant changed = Instant.now();
        // the operator replans, starts the new chain next to the old, then switches the head Service
        Timeline timeline = new Timeline();
        PlanStatus after = s.awaitNewPlanServing(before.planId(), true, "a new plan serving",
            d -> timeline.observe(s, before.planId(), d));
        Thread.sleep(2000);
        load.stop();
        report("link change -> new plan serving, old plan gone", Duration.between(changed, Instant.now()));
        System.out.printf("[e2e] replan %s -> %s: shard 1 %s -> %s; %d requests, %d failed%n",
            before.planId(), after.planId(), to, after.shards().size() > 1 ? after.shards().get(1).node() : "-",
            load.ok.get() + load.failed.get(), load.failed.get());
        load.errors.forEach(e -> System.out.println("[e2e]   failed: " + e));
        appendTimings(String.format("link change: %d requests during the switch, %d failed", load.ok.get() + load.failed.get(), load.failed.get()));
        assertThat(after.shards().stream().map(PlanStatus.ShardStatus::node).toList())
            .as("the new plan avoids the slowed link %s", link)
            .isNotEqualTo(before.shards().stream().map(PlanStatus.ShardStatus::node).toList());
        assertThat(timeline.newPlanAllReadyWhileOldExisted)
            .as("make-before-break: every shard of the new plan was Ready while the old plan's pods still ran")
            .isTrue();
        assertThat(load.ok.get()).isPositive();
        assertThat(load.failed.get()).as("failed requests during the switch: %s", load.errors).isZero();
        assertThat(s.complete(PROMPT, MAX_TOKENS)).containsExactly(reference);
      } finally {
        load.stop();
        setBandwidth(link, original.getSpec().bandwidthMbps());
      }
    }
  }

  @Test
  void aKilledShardContainerComesBackAndTheDeploymentRecovers() throws Exception {
    try (Scenario s = new Scenario("e2e-kill")) {
      s.apply();
      PlanStatus plan = s.awaitReady(Duration.ofMinutes(6));
      int last = plan.shards().size() - 1;
      Pod victim = s.shardPod(plan.planId(), last);
      int restartsBefore = victim.getStatus().getContainerStatuses().get(0).getRestartCount();
      Instant killed = Instant.now();
      target.killContainer(victim, "shard-worker");
      poll(Duration.ofMinutes(1), "Ready=False after the kill",
          () -> conditionTrue(s.get(), "Ready") ? null : Boolean.TRUE);
      String reason = condition(s.get(), "Ready").map(Condition::getReason).orElse("?");
      Instant notReady = Instant.now();
      String degraded = poll(Duration.ofMinutes(1), "Degraded=True after the kill", () ->
          condition(s.get(), "Degraded").filter(c -> "True".equals(c.getStatus())).map(Condition::getReason).orElse(null));
      s.awaitReady(Duration.ofMinutes(3));
      Instant readyAgain = Instant.now();
      String degradedAfter = poll(Duration.ofMinutes(1), "Degraded=False after recovery", () ->
          condition(s.get(), "Degraded").filter(c -> "False".equals(c.getStatus())).map(Condition::getReason).orElse(null));
      long[] served = poll(Duration.ofMinutes(1), "a completion after recovery", () -> {
        try {
          return s.complete(PROMPT, MAX_TOKENS);
        } catch (Exception e) {
          return null;
        }
      });
      Instant serving = Instant.now();
      assertThat(reason).isEqualTo("ShardsUnavailable");
      assertThat(degraded).as("Degraded while the serving chain misses a shard").isEqualTo("ServingShardLost");
      assertThat(degradedAfter).isEqualTo("AsMeasured");
      assertThat(served).containsExactly(reference);
      Pod after = s.shardPod(plan.planId(), last);
      assertThat(after.getMetadata().getUid()).as("the kubelet restarts the container in the same pod").isEqualTo(victim.getMetadata().getUid());
      assertThat(after.getStatus().getContainerStatuses().get(0).getRestartCount()).isGreaterThan(restartsBefore);
      System.out.printf("[e2e] after the kill: Ready=False (%s), Degraded=True (%s)%n", reason, degraded);
      report("container kill -> Ready=False", Duration.between(killed, notReady));
      report("container kill -> Ready again", Duration.between(killed, readyAgain));
      report("container kill -> completion served again", Duration.between(killed, serving));
    }
  }

  @Test
  void deletingTheDeploymentLetsTheGarbageCollectorRemoveEverythingItOwned() throws Exception {
    try (Scenario s = new Scenario("e2e-delete")) {
      s.apply();
      s.awaitReady(Duration.ofMinutes(6));
      LLMDeployment owner = s.get();
      List<HasMetadata> owned = s.owned();
      assertThat(owned).extracting(o -> o.getKind()).contains("Deployment", "Service", "ConfigMap");
      for (HasMetadata o : owned) {
        assertThat(o.getMetadata().getOwnerReferences())
            .as("%s %s", o.getKind(), o.getMetadata().getName())
            .anyMatch(r -> r.getUid().equals(owner.getMetadata().getUid()) && Boolean.TRUE.equals(r.getController()));
      }
      assertThat(s.pods()).isNotEmpty();
      assertThat(client.apps().replicaSets().inNamespace(s.namespace).list().getItems()).isNotEmpty();
      Instant deleted = Instant.now();
      client.resource(owner).delete();
      // ReplicaSets and pods are owned by the Deployments, never touched by the operator: only the
      // controller-manager's garbage collector removes them
      poll(Duration.ofMinutes(3), "nothing owned left", () ->
          s.owned().isEmpty() && s.pods().isEmpty()
              && client.apps().replicaSets().inNamespace(s.namespace).list().getItems().isEmpty()
              && s.get() == null ? Boolean.TRUE : null);
      report("delete -> everything owned gone", Duration.between(deleted, Instant.now()));
    }
  }

}
