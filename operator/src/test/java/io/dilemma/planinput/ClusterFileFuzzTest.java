package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Link;

/**
 * {@code dilemma plan --cluster FILE} reads a file a person wrote: whatever its bytes, it either
 * becomes a cluster the planner can take (finite, positive figures, links between known nodes, the
 * origin among the nodes) or an {@link InvalidInputException} with a one-line message, which the
 * CLI prints with exit code 2. A normal build replays the seeds in
 * src/test/resources/.../ClusterFileFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ClusterFileFuzzTest {
  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"origin:", "nodes:", "links:", "workload:", "quality:", "options:", "name:", "tier:", "compute:",
      "memoryBandwidth:", "memory:", "from:", "to:", "bandwidth:", "latency:", "bidirectional:", "promptTokens:",
      "outputTokens:", "budget:", "metric:", "bits:", "rho:", "timeLimit:", " GiB", " GB/s", " Mbit/s", " ms",
      " GFLOP/s", "1e308", ".inf", "&a", "*a", "- {", "}"})
  void parsesOrRefusesAnyFile(byte[] input) {
    ClusterFile file;
    try {
      file = ClusterFile.parse(input);
    } catch (InvalidInputException refused) {
      assertThat(refused.getMessage()).isNotBlank().doesNotContain("\n", "\r");
      return;
    }
    assertThat(file.cluster().nodes()).isNotEmpty();
    assertThat(file.cluster().nodes()).extracting(ComputeNode::name).contains(file.cluster().origin());
    for (ComputeNode node : file.cluster().nodes()) {
      assertThat(node.flopsPerSecond()).isPositive().isFinite();
      assertThat(node.memoryBandwidth()).isPositive().isFinite();
      assertThat(node.memoryBytes()).isNotNegative();
    }
    for (Link link : file.cluster().links()) {
      assertThat(file.cluster().indexOf(link.from())).isNotNegative();
      assertThat(file.cluster().indexOf(link.to())).isNotNegative();
      assertThat(link.bandwidth()).isPositive().isFinite();
      assertThat(link.latencySeconds()).isNotNegative().isFinite();
    }
    assertThat(file.options().timeLimit()).isPositive();
    if (file.qualityBudget() != null) {
      assertThat(file.qualityBudget()).isNotNegative().isFinite();
    }
  }
}
