package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What bounds a shard pod to its plan (issue 12, defects 9, 6, 5 and the head's gRPC port). */
class ShardBoundsTest {
  private static final long OVERHEAD = 64L << 20;
  private final LLMDeployment owner = Fixtures.deployment("chat", Fixtures.spec("a", 0.5));
  private final List<ShardPlan> plans =
      ShardPlans.of("chat", "llm", owner.getSpec(), Fixtures.plan("p1abc", 3));
  private final ShardResources resources = new ShardResources(OVERHEAD);

  private Container container(int shard) {
    return resources.shard(owner, plans.get(shard), 1000).deployment().getSpec().getTemplate().getSpec()
        .getContainers().get(0);
  }

  @Test
  void theMemoryLimitIsThePlannedMemoryAndACpuRequestIsSet() {
    var r = container(1).getResources();
    assertThat(r.getLimits().get("memory")).isEqualTo(new Quantity(Long.toString(1000 + OVERHEAD)));
    assertThat(r.getRequests().get("memory")).isEqualTo(r.getLimits().get("memory"));
    assertThat(r.getRequests().get("cpu")).isEqualTo(new Quantity(ShardResources.DEFAULT_CPU_REQUEST));
  }

  @Test
  void aUserMemoryLimitCannotLiftTheBoundButTheirCpuIsKept() {
    var user =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("2"))
            .addToLimits("memory", new Quantity("64Gi"))
            .build();
    var r = ShardResources.resources(user, 5000);
    assertThat(r.getLimits().get("memory")).isEqualTo(new Quantity("5000"));
    assertThat(r.getRequests().get("cpu")).isEqualTo(new Quantity("2"));
  }

  @Test
  void theKvCacheBoundIsThePlannedKvBytes() {
    assertThat(plans).allMatch(p -> p.limits().kvCacheBytes() == 200);
  }

  @Test
  void aPlanRecordedWithoutKvBytesKeepsTheDefaultBoundCappedAtTheShardsMemory() {
    var old = new io.dilemma.api.PlanStatus.ShardStatus(0, "n0", 0, 1, List.of(4, 4), null, 1000, 0, 0.01);
    assertThat(ShardPlans.servingLimits(old).kvCacheBytes()).isEqualTo(1000);
  }

  @Test
  void theJvmHeapAndDirectMemoryComeFromThePlan() {
    List<String> command = container(1).getCommand();
    assertThat(command).startsWith("java");
    assertThat(command).contains("-Xmx" + (200 + OVERHEAD / 2), "-XX:MaxDirectMemorySize=" + (OVERHEAD / 4));
    assertThat(command.subList(command.indexOf("-jar"), command.size())).containsExactly("-jar", "/app/shard-worker.jar");
  }

  @Test
  void tmpIsSizeLimited() {
    var tmp =
        resources.shard(owner, plans.get(1), 1000).deployment().getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("tmp"))
            .findFirst()
            .orElseThrow();
    assertThat(tmp.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity(ShardResources.TMP_SIZE_LIMIT));
  }

  @Test
  void theHeadHasNoGrpcPortFlagOrService() {
    var head = resources.shard(owner, plans.get(0), 1000);
    var c = head.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs()).doesNotContain("--grpc-port").contains("--http-port");
    assertThat(c.getPorts()).extracting(ContainerPort::getContainerPort).containsExactly(8080);
    assertThat(head.service().getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(8080);
    assertThat(container(1).getArgs()).contains("--grpc-port", "9090");
  }

  @Test
  void shardIAdmitsGrpcOnlyFromShardIMinusOne() {
    var policy = resources.shard(owner, plans.get(2), 1000).networkPolicy();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .containsEntry(ShardNames.LABEL_SHARD, "2")
        .containsEntry(ShardNames.LABEL_PLAN, "p1abc");
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    var grpc = policy.getSpec().getIngress().stream()
        .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 9090)).toList();
    assertThat(grpc).singleElement().satisfies(r -> {
      assertThat(r.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9090));
      assertThat(r.getFrom()).singleElement().satisfies(f ->
          assertThat(f.getPodSelector().getMatchLabels())
              .containsEntry(ShardNames.LABEL_SHARD, "1")
              .containsEntry(ShardNames.LABEL_PLAN, "p1abc")
              .containsEntry(ShardNames.LABEL_DEPLOYMENT, "chat"));
    });
  }

  /** Prometheus scrapes every shard, wherever it runs; a worker's HTTP port serves no completions. */
  @Test
  void everyShardAdmitsItsHttpPortForMetricsAndNothingElseFromAnyone() {
    var policy = resources.shard(owner, plans.get(2), 1000).networkPolicy();
    var open = policy.getSpec().getIngress().stream().filter(r -> r.getFrom() == null || r.getFrom().isEmpty()).toList();
    assertThat(open).singleElement().satisfies(r ->
        assertThat(r.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080)));
    assertThat(policy.getSpec().getIngress()).hasSize(2);
  }

  @Test
  void onlyTheHeadsHttpPortIsOpenToClients() {
    var policy = resources.shard(owner, plans.get(0), 1000).networkPolicy();
    assertThat(policy.getSpec().getIngress()).singleElement().satisfies(r -> {
      assertThat(r.getFrom()).isNullOrEmpty();
      assertThat(r.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080));
    });
  }

  @Test
  void theManifestHashIsPassedOn() {
    String sha = "ab".repeat(32);
    var spec = Fixtures.spec("a", 0.5);
    var model = new LLMDeploymentSpec.ModelSpec(
        spec.model().name(), spec.model().profile(), spec.model().source(), sha);
    var withHash = new LLMDeploymentSpec(model, spec.workload(), spec.quality(), spec.allowedBits(),
        spec.allowedRho(), spec.placement(), spec.replanPolicy(), spec.solver(), spec.worker());
    assertThat(ShardPlans.of("chat", "llm", withHash, Fixtures.plan("p1", 2)))
        .allMatch(p -> sha.equals(p.model().manifestSha256()));
  }

  @Test
  void pvcPathsAreNormalisedAndMayNotLeaveTheVolume() {
    assertThat(ShardPlans.pvcPath("/models//opt/./350m/")).isEqualTo("/models/opt/350m");
    assertThat(ShardPlans.pvcPath(null)).isEmpty();
    assertThatThrownBy(() -> ShardPlans.pvcPath("../../etc")).hasMessageContaining("leaves the volume");
    assertThatThrownBy(() -> ShardPlans.pvcPath("a/..\\..")).hasMessageContaining("leaves the volume");
  }
}
