package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtherPodRequestsTest {
  private static final long MIB = 1L << 20;

  private static Pod pod(String node, String phase, Map<String, String> requests, Map<String, String> limits) {
    return new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewSpec().withNodeName(node)
        .addToContainers(new ContainerBuilder().withName("c").withNewResources()
            .addToRequests(quantities(requests)).addToLimits(quantities(limits)).endResources().build())
        .endSpec().withNewStatus().withPhase(phase).endStatus().build();
  }

  private static Map<String, Quantity> quantities(Map<String, String> values) {
    var out = new java.util.HashMap<String, Quantity>();
    values.forEach((k, v) -> out.put(k, new Quantity(v)));
    return out;
  }

  @Test
  void sumsTheRequestsOfRunningPodsPerNodeAndALimitStandsForAMissingRequest() {
    var bytes = OtherPodRequests.byNode(List.of(
        pod("a", "Running", Map.of("memory", "384Mi"), Map.of()),
        pod("a", "Pending", Map.of(), Map.of("memory", "128Mi")),
        pod("b", "Running", Map.of("cpu", "1"), Map.of())));
    assertThat(bytes).containsExactlyInAnyOrderEntriesOf(Map.of("a", 512 * MIB));
  }

  @Test
  void finishedAndUnscheduledPodsHoldNothing() {
    var bytes = OtherPodRequests.byNode(List.of(
        pod("a", "Succeeded", Map.of("memory", "1Gi"), Map.of()),
        pod("a", "Failed", Map.of("memory", "1Gi"), Map.of()),
        pod(null, "Pending", Map.of("memory", "1Gi"), Map.of())));
    assertThat(bytes).isEmpty();
  }

  @Test
  void theLargestInitContainerCountsWhenItAsksForMore() {
    Pod p = pod("a", "Running", Map.of("memory", "100Mi"), Map.of());
    p.getSpec().setInitContainers(List.of(new ContainerBuilder().withName("init").withNewResources()
        .addToRequests("memory", new Quantity("300Mi")).endResources().build()));
    assertThat(OtherPodRequests.request(p)).isEqualTo(300 * MIB);
  }

  @Test
  void theNodeOffersItsAllocatableLessWhatOtherPodsRequest() {
    var node = new NodeBuilder().withNewMetadata().withName("a").endMetadata()
        .withNewStatus().addToAllocatable("memory", new Quantity("1Gi")).addToAllocatable("cpu", new Quantity("1")).endStatus().build();
    assertThat(NodeReading.of(node, 384 * MIB).node().memoryBytes()).isEqualTo(640 * MIB);
    assertThat(NodeReading.of(node, 2048 * MIB).node().memoryBytes()).isZero();
  }
}
