package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, fault "kill the operator mid-reconcile with two replicas": two {@code dilemma operator}
 * processes with leader election on the Lease; the leader is killed (SIGKILL) the moment the first
 * object of a new plan appears, in the middle of the reconcile that writes that plan. The other
 * replica must take the Lease and finish: roll the new plan out, or, when the reason for it went
 * away while nobody led, keep the old one and remove what the killed leader had started.
 * {@link LeaderElectionIT} covers the in-process handover and that a standby never reconciles.
 */
class OperatorKilledMidRolloutIT {
  private static final long OVERHEAD = Opt350mExample.OVERHEAD;

  @Test
  void theStandbyTakesTheLeaseAndFinishesTheRollout() throws Exception {
    run("it-kill-finish", false);
  }

  @Test
  void theStandbyRemovesWhatTheKilledLeaderStartedWhenThePlanIsNoLongerWanted() throws Exception {
    run("it-kill-abandon", true);
  }

  private void run(String namespace, boolean undoTheCause) throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start();
        SimulatedKubelet kubelet = new SimulatedKubelet(env.client(), Duration.ofSeconds(2))) {
      var client = env.client();
      Opt350mExample.registerNodesAndLinks(env);
      try (OperatorProcess a = OperatorProcess.start(env, "replica-a", OVERHEAD);
          OperatorProcess b = OperatorProcess.start(env, "replica-b", OVERHEAD)) {
        List<OperatorProcess> replicas = List.of(a, b);
        Await.until("one of two replicas holding the Lease", Duration.ofSeconds(120),
            () -> replicas.stream().filter(OperatorProcess::leading).count(), n -> n == 1);
        OperatorProcess leader = a.leading() ? a : b;
        OperatorProcess standby = leader == a ? b : a;
        Await.until("the standby ready (a standby must be, or rolling updates stall)", Duration.ofSeconds(60),
            () -> standby.get("/readyz"), code -> code == 200);

        FaultScenario scenario = new FaultScenario(env, namespace);
        scenario.applyExample();
        LLMDeployment before = scenario.awaitReady(Duration.ofSeconds(120));
        PlanStatus old = before.getStatus().plan();
        // past the stabilization window, so that the slower link replans at once
        Instant windowEnds = Instant.parse(before.getStatus().lastReplanTime()).plusSeconds(5);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), windowEnds).toMillis() + 200));

        AtomicLong killedAt = new AtomicLong();
        Watch watch = client.services().inNamespace(namespace).withLabel(ShardNames.LABEL_DEPLOYMENT, FaultScenario.NAME)
            .watch(new Watcher<Service>() {
              @Override
              public void eventReceived(Action action, Service s) {
                String plan = s.getMetadata().getLabels().get(ShardNames.LABEL_PLAN);
                if (action == Action.ADDED && plan != null && !plan.equals(old.planId()) && killedAt.get() == 0) {
                  leader.process.destroyForcibly();
                  killedAt.set(System.nanoTime());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
        String hop = old.shards().get(0).node() + "--" + old.shards().get(1).node();
        double bandwidth = client.resources(EdgeLink.class).withName(hop).get().getSpec().bandwidthMbps();
        try {
          patchBandwidth(env, hop, bandwidth / 10);
          Await.until("the leader killed at the first object of a new plan", Duration.ofSeconds(30), killedAt::get, t -> t > 0);
        } finally {
          watch.close();
        }
        long killed = killedAt.get();
        leader.process.waitFor();
        List<String> cutShort = scenario.leftoversBeside(old.planId());
        assertThat(cutShort).as("what the killed leader had written of the new plan").isNotEmpty();
        if (undoTheCause) patchBandwidth(env, hop, bandwidth);

        Await.until(standby.name + " holding the Lease", Duration.ofSeconds(60), standby::leading, l -> l);
        long takenOver = System.nanoTime();
        LLMDeployment after;
        if (undoTheCause) {
          Await.until("the objects the killed leader started removed", Duration.ofSeconds(60),
              () -> scenario.leftoversBeside(old.planId()), List::isEmpty);
          after = scenario.awaitReady(Duration.ofSeconds(30));
          assertThat(after.getStatus().plan().planId()).as("the old plan is wanted again").isEqualTo(old.planId());
        } else {
          after = Await.until("Ready=True on a new plan", Duration.ofSeconds(90), scenario::get,
              d -> FaultScenario.readyOnItsPlan(d) && !d.getStatus().plan().planId().equals(old.planId()));
          String plan = after.getStatus().plan().planId();
          Await.until("no object of plan " + old.planId() + " left", Duration.ofSeconds(30),
              () -> scenario.leftoversBeside(plan), List::isEmpty);
        }
        long recovered = System.nanoTime();
        assertThat(scenario.headServicePlan()).isEqualTo(after.getStatus().plan().planId());
        var lease = client.leases().inNamespace(ChartRbac.NAMESPACE).withName(DilemmaOperator.LEASE_NAME).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(standby.name);

        System.out.printf("FAULT operator killed mid-rollout (%s): %d objects of plan %s written when killed (%s);"
                + " %s took the Lease after %s; %s after %s%n",
            undoTheCause ? "cause undone meanwhile" : "rollout finished", cutShort.size(), "new", String.join(", ", cutShort),
            standby.name, FaultScenario.seconds(killed, takenOver),
            undoTheCause ? "its leftovers removed, Ready on plan " + old.planId() : "Ready on plan " + after.getStatus().plan().planId(),
            FaultScenario.seconds(killed, recovered));
      }
    }
  }

  private static void patchBandwidth(KubeTestEnvironment env, String link, double mbps) {
    env.kubectl("patch", "edgelink", link, "--type=merge", "-p", "{\"spec\":{\"bandwidthMbps\":" + mbps + "}}");
  }
}
