package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.bench.SimulatedKubelet;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, fault "restart the API server": the kube-apiserver is killed and started again on
 * the same port and etcd while the operator runs. Without a restart of its own, the operator's
 * informers must come back: a spec edit and a node lost, both after the restart, are acted on.
 */
class ApiServerRestartIT {

  @Test
  void theOperatorsInformersRecoverAndAnEditAfterTheRestartIsPlanned() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start();
        SimulatedKubelet kubelet = new SimulatedKubelet(env.client(), Duration.ofMillis(400))) {
      Opt350mExample.registerNodesAndLinks(env);
      DilemmaOperator operator = DilemmaOperator.start(env.operatorClient(),
          new DilemmaOperator.Options(Optional.empty(), 0, 2, LLMDeploymentReconciler.Settings.defaults(), false));
      try {
        FaultScenario scenario = new FaultScenario(env, "it-apiserver-restart");
        scenario.applyExample();
        LLMDeployment before = scenario.awaitReady(Duration.ofSeconds(90));
        long generation = before.getMetadata().getGeneration();

        long stopped = System.nanoTime();
        env.restartApiServer(Duration.ofSeconds(5));
        long back = System.nanoTime();

        // A spec edit (the LLMDeployment informer) ...
        env.kubectl("patch", "llmd", FaultScenario.NAME, "-n", scenario.namespace, "--type=merge",
            "-p", "{\"spec\":{\"replanPolicy\":{\"minRelativeImprovement\":0.2}}}");
        LLMDeployment edited = Await.until("the edit after the restart reconciled (observedGeneration " + (generation + 1) + ")",
            Duration.ofSeconds(120), scenario::get,
            d -> d.getStatus().observedGeneration() != null && d.getStatus().observedGeneration() == generation + 1
                && d.getStatus().conditions().stream().allMatch(c -> c.getObservedGeneration() == generation + 1));
        long planned = System.nanoTime();
        assertThat(FaultScenario.condition(edited, "Planned", true)).isEqualTo("Solved");
        assertThat(FaultScenario.readyOnItsPlan(edited)).as("still Ready on its plan: %s", edited.getStatus()).isTrue();

        // ... and a node lost (the Node informer): the plan moves off it.
        var plan = edited.getStatus().plan();
        String victim = plan.shards().get(plan.shards().size() - 1).node();
        kubelet.stopNode(victim);
        ExampleNodes.setReadyUnknown(env.client(), victim);
        LLMDeployment replanned = Await.until("a plan without " + victim + " after the restart", Duration.ofSeconds(90), scenario::get,
            d -> FaultScenario.readyOnItsPlan(d) && d.getStatus().plan().shards().stream().noneMatch(s -> s.node().equals(victim)));
        long moved = System.nanoTime();
        String newPlan = replanned.getStatus().plan().planId();
        Await.until("no object of an old plan left", Duration.ofSeconds(20), () -> scenario.leftoversBeside(newPlan), java.util.List::isEmpty);

        System.out.printf("FAULT API server restart: down 5 s, ready again %s after the kill; a spec edit then reconciled in %s;"
                + " a node lost then replanned around in %s%n",
            FaultScenario.seconds(stopped, back), FaultScenario.seconds(back, planned), FaultScenario.seconds(planned, moved));
      } finally {
        operator.close();
      }
    }
  }
}
