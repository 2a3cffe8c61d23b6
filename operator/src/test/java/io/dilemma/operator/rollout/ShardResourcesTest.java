package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardResourcesTest {
  private static final long OVERHEAD = 64L << 20;
  private final LLMDeployment owner = Fixtures.deployment("chat", Fixtures.spec("a", 0.5));
  private final List<ShardPlan> plans =
      ShardPlans.of("chat", "llm", owner.getSpec(), Fixtures.plan("p1abc", 3));

  @Test
  void shardPlansFormAChainWithTheHeadFirst() {
    assertThat(plans).extracting(ShardPlan::shardIndex).containsExactly(0, 1, 2);
    assertThat(plans.get(0).head()).isTrue();
    assertThat(plans.get(2).lmHead()).isTrue();
    assertThat(plans.get(0).nextShard()).isEqualTo("chat-p1abc-1.llm.svc:9090");
    assertThat(plans.get(2).nextShard()).isNull();
    // the head runs no gRPC server, so no shard is told of one
    assertThat(plans).allMatch(p -> p.headAddress() == null);
    assertThat(plans.get(0).outgoingCut()).isEqualTo(new ShardPlan.CutQuantization(0.25, 8, 4));
    assertThat(plans.get(2).outgoingCut()).isNull();
    assertThat(plans.get(1).layerBits()).containsExactly(4, 8);
    assertThat(plans.get(1).model().uri()).isEqualTo("https://models.local/test-opt");
  }

  @Test
  void theDeploymentIsPinnedSizedProbedAndLockedDown() {
    var objects = new ShardResources(OVERHEAD).shard(owner, plans.get(1), 1000);
    var deployment = objects.deployment();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/hostname", "n1");
    var container = pod.getContainers().get(0);
    assertThat(container.getResources().getRequests().get("memory"))
        .isEqualTo(new Quantity(Long.toString(1000 + OVERHEAD)));
    assertThat(container.getLivenessProbe()).isNotNull();
    // slow starts are the startup probe's business, so liveness never kills a shard still loading
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getStartupProbe().getFailureThreshold() * container.getStartupProbe().getPeriodSeconds())
        .isGreaterThanOrEqualTo(300);
    assertThat(container.getLivenessProbe().getTimeoutSeconds()).isGreaterThan(1);
    // make-before-break: a deleted old shard drains before it stops
    assertThat(container.getLifecycle().getPreStop().getExec().getCommand())
        .containsExactly("sh", "-c", "touch /tmp/dilemma-draining && exec sleep 5");
    // the drain, then the worker's own wait for requests in flight, must fit before the SIGKILL
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(5L + io.dilemma.contract.ShardDrain.RELAY_STOP_GRACE_SECONDS);
    assertThat(container.getReadinessProbe().getTimeoutSeconds()).as("readiness timeout of a worker").isEqualTo(5);
    // the worker's ports are flags of `shard-worker serve`; they must be the ones the Service targets
    assertThat(container.getArgs())
        .containsExactly("serve", "--plan", "/etc/dilemma/shard.json", "--grpc-port", "9090", "--http-port", "8080");
    assertThat(objects.service().getSpec().getPorts())
        .extracting(p -> p.getTargetPort().getIntVal())
        .containsExactlyInAnyOrder(9090, 8080);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isNotZero();
  }

  @Test
  void shardServiceNamesResolveToTheirClusterIpsWithoutClusterDns() {
    var ips = java.util.Map.of(
        "chat-p1abc-2.llm.svc", "198.19.0.12", "chat-p1abc-0.llm.svc", "198.19.0.10");
    var pod = new ShardResources(OVERHEAD).shard(owner, plans.get(1), 1000, ips)
        .deployment().getSpec().getTemplate().getSpec();
    assertThat(pod.getHostAliases())
        .extracting(a -> a.getIp() + "=" + a.getHostnames())
        .containsExactly("198.19.0.10=[chat-p1abc-0.llm.svc]", "198.19.0.12=[chat-p1abc-2.llm.svc]");
    // the names the worker dials are the aliased ones
    assertThat(plans.get(1).nextShard()).startsWith("chat-p1abc-2.llm.svc:");
    assertThat(new ShardResources(OVERHEAD).shard(owner, plans.get(1), 1000)
        .deployment().getSpec().getTemplate().getSpec().getHostAliases()).isEmpty();
  }

  /** The image contract (deploy/images): the shard-worker jar sits at /app/shard-worker.jar. */
  @Test
  void shardPodsStartTheShardWorkerJarOfTheImage() {
    var container = new ShardResources(OVERHEAD).shard(owner, plans.get(1), 1000)
        .deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> command = container.getCommand();
    assertThat(command.get(0)).isEqualTo("java");
    assertThat(command.subList(command.size() - 2, command.size())).containsExactly("-jar", "/app/shard-worker.jar");
  }

  /** helm/dilemma/prometheus/scrape-config.yaml keeps pods annotated so, at the annotated port. */
  @Test
  void everyShardPodIsAnnotatedForPrometheusAtTheWorkersHttpPort() {
    for (ShardPlan plan : plans) {
      var template = new ShardResources(OVERHEAD).shard(owner, plan, 1000).deployment().getSpec().getTemplate();
      assertThat(template.getMetadata().getAnnotations())
          .containsEntry("prometheus.io/scrape", "true")
          .containsEntry("prometheus.io/path", "/metrics")
          .containsEntry("prometheus.io/port", "8080");
      assertThat(template.getSpec().getContainers().get(0).getPorts())
          .anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    }
  }

  /** The worker's metrics carry the LLMDeployment's namespace and name, as the operator's do. */
  @Test
  void theShardPlanNamesTheDeploymentAndItsNamespace() {
    assertThat(plans).allSatisfy(p -> {
      assertThat(p.deployment()).isEqualTo("chat");
      assertThat(p.namespace()).isEqualTo("llm");
    });
  }

  @Test
  void theHeadIsProbedOverHttpBecauseItHasNoGrpcServer() {
    var head = new ShardResources(OVERHEAD).shard(owner, plans.get(0), 1000);
    var container = head.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    // the chain check of a loaded edge box outlasts the 1 s default
    assertThat(container.getReadinessProbe().getTimeoutSeconds()).isEqualTo(5);
  }

  @Test
  void everyObjectIsOwnedByTheDeploymentAsController() {
    var objects = new ShardResources(OVERHEAD).shard(owner, plans.get(0), 1000);
    for (var meta :
        List.of(objects.configMap().getMetadata(), objects.deployment().getMetadata(), objects.service().getMetadata())) {
      assertThat(meta.getName()).isEqualTo("chat-p1abc-0");
      assertThat(meta.getOwnerReferences()).singleElement().satisfies(ref -> {
        assertThat(ref.getUid()).isEqualTo("uid-chat");
        assertThat(ref.getKind()).isEqualTo("LLMDeployment");
        assertThat(ref.getController()).isTrue();
      });
    }
    assertThat(new ShardResources(OVERHEAD).headService(owner, "p1abc").getMetadata().getOwnerReferences())
        .hasSize(1);
  }

  @Test
  void theConfigMapHoldsTheShardPlanAndItsHashRollsThePod() throws Exception {
    var resources = new ShardResources(OVERHEAD);
    var objects = resources.shard(owner, plans.get(0), 1000);
    var json = objects.configMap().getData().get("shard.json");
    assertThat(ContractJson.read(json, ShardPlan.class)).isEqualTo(plans.get(0));
    String hash = objects.deployment().getSpec().getTemplate().getMetadata().getAnnotations().get(ShardNames.SHARD_PLAN_HASH);
    var changed =
        new ShardPlan(1, "chat", "llm", "p1abc", 0, 3, "n0", plans.get(0).model(), 0, 1, List.of(8, 8), true, false,
            plans.get(0).nextShard(), plans.get(0).headAddress(), plans.get(0).outgoingCut(), true, plans.get(0).limits());
    String changedHash =
        resources.shard(owner, changed, 1000).deployment().getSpec().getTemplate().getMetadata().getAnnotations()
            .get(ShardNames.SHARD_PLAN_HASH);
    assertThat(changedHash).isNotEqualTo(hash);
  }

  @Test
  void aChangedChatTemplateRollsTheHeadPodAndNoOther() throws Exception {
    var resources = new ShardResources(OVERHEAD);
    var templated = Fixtures.deployment("chat", ShardPlansTest.withChatTemplate(ShardPlansTest.QUESTION_ANSWER));
    List<ShardPlan> templatedPlans = ShardPlans.of("chat", "llm", templated.getSpec(), Fixtures.plan("p1abc", 3));
    var head = resources.shard(templated, templatedPlans.get(0), 1000);
    assertThat(ContractJson.read(head.configMap().getData().get("shard.json"), ShardPlan.class).chatTemplate().user())
        .isEqualTo("Q: {content}\n");
    for (int shard = 0; shard < 3; shard++) {
      String before = planHash(resources.shard(owner, plans.get(shard), 1000));
      String after = planHash(resources.shard(templated, templatedPlans.get(shard), 1000));
      if (shard == 0) assertThat(after).as("head").isNotEqualTo(before);
      else assertThat(after).as("shard " + shard).isEqualTo(before);
    }
  }

  private static String planHash(ShardResources.ShardObjects objects) {
    return objects.deployment().getSpec().getTemplate().getMetadata().getAnnotations().get(ShardNames.SHARD_PLAN_HASH);
  }

  @Test
  void theHeadServiceSelectsTheServingPlansHead() {
    var service = new ShardResources(OVERHEAD).headService(owner, "p2");
    assertThat(service.getMetadata().getName()).isEqualTo("chat");
    assertThat(service.getSpec().getSelector())
        .containsEntry(ShardNames.LABEL_PLAN, "p2")
        .containsEntry(ShardNames.LABEL_ROLE, ShardNames.ROLE_HEAD);
  }
}
