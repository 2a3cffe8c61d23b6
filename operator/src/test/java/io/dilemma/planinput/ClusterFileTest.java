package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFileTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      origin: a
      nodes:
        - {name: a, tier: edge, compute: 25 GFLOP/s, memoryBandwidth: 6 GB/s, memory: 1 GiB}
        - {name: b, tier: cloud, compute: 1e13, memoryBandwidth: 500 GB/s, memory: 16 GiB}
      links:
        - {from: a, to: b, bandwidth: 20 Mbit/s, latency: 40 ms, bidirectional: false}
        - {from: b, to: a, bandwidth: 100 Mbit/s, latency: 40 ms, bidirectional: false}
      workload: {promptTokens: 64, outputTokens: 32}
      quality: {metric: klDivergence, budget: 0.5}
      options: {bits: [4, 8, 16], rho: [0, 1], keepTokensOnOrigin: false, timeLimit: 2 s}
      """;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsEveryField() throws IOException {
    ClusterFile c = ClusterFile.read(write("cluster.yaml", VALID));
    assertThat(c.cluster().origin()).isEqualTo("a");
    assertThat(c.cluster().nodes()).hasSize(2);
    assertThat(c.cluster().nodes().get(1).tier()).isEqualTo(Tier.CLOUD);
    assertThat(c.cluster().nodes().get(0).memoryBytes()).isEqualTo(1L << 30);
    assertThat(c.cluster().link("a", "b").orElseThrow().bandwidth()).isEqualTo(2.5e6);
    assertThat(c.cluster().link("b", "a").orElseThrow().bandwidth()).isEqualTo(12.5e6);
    assertThat(c.workload().outputTokens()).isEqualTo(32);
    assertThat(c.metric()).isEqualTo(QualityMetric.KL_DIVERGENCE);
    assertThat(c.qualityBudget()).isEqualTo(0.5);
    assertThat(c.options().allowedBits()).containsExactly(4, 8, 16);
    assertThat(c.options().keepTokensOnOrigin()).isFalse();
    assertThat(c.options().timeLimit().toMillis()).isEqualTo(2000);
  }

  @Test
  void readsJsonToo() throws IOException {
    String json =
        "{\"origin\":\"a\",\"nodes\":[{\"name\":\"a\",\"compute\":1e10,\"memoryBandwidth\":1e10,\"memory\":1e9}],"
            + "\"workload\":{\"promptTokens\":1,\"outputTokens\":1}}";
    ClusterFile c = ClusterFile.read(write("cluster.json", json));
    assertThat(c.cluster().links()).isEmpty();
    assertThat(c.qualityBudget()).isNull();
  }

  @Test
  void theShippedExamplesParse() {
    for (String example : new String[] {"opt-350m-edge", "opt-6.7b-edge"}) {
      ClusterFile c = ClusterFile.read(Path.of("../deploy/examples", example, "cluster.yaml"));
      assertThat(c.cluster().nodes()).anyMatch(n -> n.tier() == Tier.CLOUD);
      assertThat(c.qualityBudget()).isPositive();
    }
  }

  private void assertRejected(String text, String expectedMessage) throws IOException {
    Path file = write("bad.yaml", text);
    assertThatThrownBy(() -> ClusterFile.read(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(file + ": " + expectedMessage);
  }

  @Test
  void badInputIsOneLineNamingFileFieldAndProblem() throws IOException {
    assertRejected(VALID.replace("memory: 1 GiB", "memory: lots"), "nodes[0].memory: expected a size such as 6 GiB or 512 MB, got 'lots'");
    assertRejected(VALID.replace("{from: a, to: b,", "{from: a, to: c,"), "links[0].to: 'c' is not one of the nodes");
    assertRejected(VALID.replace("origin: a", "origin: z"), "origin: 'z' is not one of the nodes");
    assertRejected(VALID.replace("memoryBandwidth: 6 GB/s", "memoryBandwith: 6 GB/s"), "nodes[0].memoryBandwith: unknown field (expected one of compute, memory, memoryBandwidth, name, tier)");
    assertRejected(VALID.replace("{promptTokens: 64", "{promptTokens: 0"), "workload.promptTokens: expected a whole number ≥ 1, got '0'");
    assertRejected(VALID.replace("{name: b,", "{name: a,"), "nodes[1].name: 'a' appears twice");
    assertRejected(VALID.replace("bits: [4, 8, 16]", "bits: [4, 5]"), "options.bits[1]: expected one of 2, 3, 4, 8, 16, got 5.0");
    assertRejected(VALID.replace("metric: klDivergence", "metric: bleu"), "quality.metric: unknown quality metric 'bleu', expected normalizedError, klDivergence or deltaPerplexity");
  }

  /** A quoted name with a line break used to split the CLI's one-line error in two. */
  @Test
  void aValueWithALineBreakStaysOnOneLine() throws IOException {
    assertRejected(VALID.replace("origin: a", "origin: \"z\\nError: all fine\""), "origin: 'z\\nError: all fine' is not one of the nodes");
  }

  /** Found by ClusterFileFuzzTest: 0.1e30801 reads as infinity, and passed the "≥ 0" check. */
  @Test
  void aBudgetIsAFiniteNumber() throws IOException {
    assertRejected(VALID.replace("budget: 0.5", "budget: 0.1e30801"), "quality.budget: expected a finite number ≥ 0, got 'Infinity'");
  }

  /** "-0" passes "≥ 0" but sorts below 0 (Double.compare): it is read as 0. */
  @Test
  void aNegativeZeroIsZero() throws IOException {
    ClusterFile c = ClusterFile.read(write("cluster.yaml", VALID.replace("budget: 0.5", "budget: -0.0").replace("latency: 40 ms", "latency: -0 ms")));
    assertThat(Double.compare(c.qualityBudget(), 0.0)).isZero();
    assertThat(c.cluster().links()).allSatisfy(l -> assertThat(Double.compare(l.latencySeconds(), 0.0)).isZero());
  }

  /** Below 1 ns a time limit truncated to zero: no time to solve, "no plan" for bad input. */
  @Test
  void aTimeLimitBelowOneNanosecondIsRefused() throws IOException {
    assertRejected(VALID.replace("timeLimit: 2 s", "timeLimit: 1e-10"), "options.timeLimit: must be at least 1 ns, got 1.0E-10 s");
  }

  @Test
  void aSyntaxErrorNamesItsLineAndColumn() throws IOException {
    Path file = write("broken.yaml", "origin: a\nnodes:\n  - {name: a, tier: edge\nlinks: []\n");
    assertThatThrownBy(() -> ClusterFile.read(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(file + ": line 4, column ")
        .hasMessageContaining(": not valid YAML/JSON: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void missingFileSaysSo() {
    assertThatThrownBy(() -> ClusterFile.read(dir.resolve("absent.yaml")))
        .hasMessage(dir.resolve("absent.yaml") + ": file not found");
  }
}
