package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.operator.Fixtures;
import io.dilemma.planner.Tier;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeReadingTest {

  @Test
  void labelsGiveComputeMemoryBandwidthAndTier() {
    var node = Fixtures.node("pi-1", 12.5, 4, 8L << 30, true);
    node.getMetadata().getLabels().put(NodeReading.TIER, "cloud");
    NodeReading reading = NodeReading.of(node);
    assertThat(reading.node().flopsPerSecond()).isEqualTo(12.5e9);
    assertThat(reading.node().memoryBandwidth()).isEqualTo(4e9);
    assertThat(reading.node().memoryBytes()).isEqualTo(8L << 30);
    assertThat(reading.node().tier()).isEqualTo(Tier.CLOUD);
    assertThat(reading.ready()).isTrue();
    assertThat(reading.defaulted()).isFalse();
  }

  @Test
  void missingOrMalformedFiguresAreDerivedFromCapacityAndReported() {
    var node =
        new NodeBuilder()
            .withNewMetadata()
            .withName("bare")
            .withAnnotations(Map.of(NodeReading.GFLOPS, "fast"))
            .endMetadata()
            .withNewStatus()
            .withAllocatable(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi")))
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    NodeReading reading = NodeReading.of(node);
    assertThat(reading.defaultedFields())
        .containsExactly(NodeReading.GFLOPS, NodeReading.MEMORY_BANDWIDTH_GBPS);
    assertThat(reading.node().flopsPerSecond()).isEqualTo(2 * NodeReading.DEFAULT_GFLOPS_PER_CORE * 1e9);
    assertThat(reading.node().memoryBandwidth()).isEqualTo(2 * NodeReading.DEFAULT_MEMORY_GBPS_PER_CORE * 1e9);
    assertThat(reading.node().memoryBytes()).isEqualTo(4L << 30);
    assertThat(reading.node().tier()).isEqualTo(Tier.EDGE);
  }

  @Test
  void annotationsCountButLabelsWin() {
    var node = Fixtures.node("n", 10, 2, 1L << 30, true);
    node.getMetadata().setAnnotations(Map.of(NodeReading.GFLOPS, "99", "dilemma.io/tier", "cloud"));
    NodeReading reading = NodeReading.of(node);
    assertThat(reading.node().flopsPerSecond()).isEqualTo(10e9);
    assertThat(reading.node().tier()).isEqualTo(Tier.CLOUD);
  }

  @Test
  void notReadyAndCordonedNodesAreNotReady() {
    assertThat(NodeReading.of(Fixtures.node("a", 1, 1, 1, false)).ready()).isFalse();
    var cordoned = Fixtures.node("b", 1, 1, 1, true);
    cordoned.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
    cordoned.getSpec().setUnschedulable(true);
    assertThat(NodeReading.of(cordoned).ready()).isFalse();
  }

  @Test
  void theProbersAvailableShareScalesComputeButNotMemoryBandwidth() {
    var node = Fixtures.node("busy", 10, 2, 1L << 30, true);
    node.getMetadata().setAnnotations(Map.of(NodeReading.AVAILABLE_COMPUTE_RATIO, "0.40"));
    NodeReading reading = NodeReading.of(node);
    assertThat(reading.node().flopsPerSecond()).isEqualTo(4e9);
    assertThat(reading.node().memoryBandwidth()).isEqualTo(2e9);
  }

  @Test
  void aMissingMalformedOrOutOfRangeShareIsReadSafely() {
    assertThat(NodeReading.availableShare(null)).isEqualTo(1);
    assertThat(NodeReading.availableShare("busy")).isEqualTo(1);
    assertThat(NodeReading.availableShare("1.7")).isEqualTo(1);
    assertThat(NodeReading.availableShare("0")).isEqualTo(NodeReading.MIN_AVAILABLE_SHARE);
  }
}
