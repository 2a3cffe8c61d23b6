package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.status.ConditionReason;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, fault "a node goes NotReady": the kubelet of a node the running plan uses stops (its
 * shard's pod stops being ready), and the node controller's verdict follows (Ready Unknown). The
 * deployment must report Degraded with a reason from the enum naming the node, be replanned without
 * it, and keep no object of the old plan.
 */
class NodeNotReadyIT {

  @Test
  void aLostNodeIsReportedThenPlannedAroundWithNothingOfTheOldPlanLeft() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start();
        SimulatedKubelet kubelet = new SimulatedKubelet(env.client(), Duration.ofMillis(400))) {
      var nodes = Opt350mExample.registerNodesAndLinks(env);
      DilemmaOperator operator = DilemmaOperator.start(env.operatorClient(),
          new DilemmaOperator.Options(Optional.empty(), -1, 2, LLMDeploymentReconciler.Settings.defaults(), false));
      try {
        FaultScenario scenario = new FaultScenario(env, "it-node-not-ready");
        scenario.applyExample();
        PlanStatus before = scenario.awaitReady(Duration.ofSeconds(90)).getStatus().plan();
        String victim = before.shards().get(before.shards().size() - 1).node();
        assertThat(victim).as("the example's last shard runs off the origin").isNotEqualTo("pi5-gateway");
        assertThat(nodes).contains(victim);

        long lost = System.nanoTime();
        kubelet.stopNode(victim);
        ExampleNodes.setReadyUnknown(env.client(), victim);

        LLMDeployment degraded = Await.until("Degraded=True NodeLost naming " + victim, Duration.ofSeconds(30), scenario::get,
            d -> ConditionReason.NodeLost.name().equals(FaultScenario.condition(d, "Degraded", true)));
        long reported = System.nanoTime();
        assertThat(FaultScenario.condition(degraded, "Degraded", false)).isEqualTo("True");
        assertThat(degraded.getStatus().condition("Degraded").orElseThrow().getMessage())
            .isEqualTo("Nodes gone or not Ready: " + victim + ".");

        LLMDeployment recovered = Await.until("Ready=True on a plan without " + victim + ", Degraded=False", Duration.ofSeconds(60),
            scenario::get,
            d -> FaultScenario.readyOnItsPlan(d)
                && d.getStatus().plan().shards().stream().noneMatch(s -> s.node().equals(victim))
                && "False".equals(FaultScenario.condition(d, "Degraded", false)));
        long ready = System.nanoTime();
        String plan = recovered.getStatus().plan().planId();
        assertThat(plan).isNotEqualTo(before.planId());
        assertThat(recovered.getStatus().lastReplanReason()).isEqualTo("PlanInfeasible");
        assertThat(scenario.headServicePlan()).isEqualTo(plan);
        Await.until("no object of plan " + before.planId() + " left", Duration.ofSeconds(20),
            () -> scenario.leftoversBeside(plan), java.util.List::isEmpty);

        System.out.printf("FAULT node NotReady: %s Unknown -> Degraded=True NodeLost after %s, Ready=True on plan %s"
                + " (%d shards, none on %s) after %s; old plan %s removed%n",
            victim, FaultScenario.seconds(lost, reported), plan, recovered.getStatus().plan().shards().size(), victim,
            FaultScenario.seconds(lost, ready), before.planId());
      } finally {
        operator.close();
      }
    }
  }
}
