package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The revised problem statement (seeds/003): one device, one cloud, one link of bandwidth B;
 * T_total = Σ_i L_d,i·t_d,i + L_c,i·t_c,i + C_i·O_i/B. It must fall out of the general model.
 */
class TwoTierSpecialCaseTest {
  @Test
  void deviceCloudSplitCostsWhatTheStatementSays() {
    // 4 layers of 1 GFLOP per token; the device does 10 GFLOP/s (t_d = 0.1 s), the cloud
    // 1 TFLOP/s (t_c = 1 ms); memory bandwidth is so high that compute decides (roofline).
    // Activations: d = 1000 values at ρ = 1 (8 bits) = O_i = 1000 bytes; B = 1 MB/s, so
    // O_i/B = 1 ms per token; one-way latency 10 ms. p = 10 prompt tokens, n = 5 output tokens.
    List<ModelCosts.LayerCost> layers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      layers.add(
          new ModelCosts.LayerCost(
              i, 500_000_000L, 1e9, 1e9, 1000, 0, List.of(new ModelCosts.BitOption(16, 1_000_000_000L, 0))));
    }
    ModelCosts model = new ModelCosts("two-tier", layers, List.of(), 0, 0, 0);
    Cluster cluster =
        new Cluster(
            List.of(
                new ComputeNode("device", 1e10, 1e15, 10L << 30, Tier.EDGE),
                new ComputeNode("cloud", 1e12, 1e15, 10L << 30, Tier.CLOUD)),
            List.of(new Link("device", "cloud", 1e6, 0.010), new Link("cloud", "device", 1e6, 0.010)),
            "device");
    PlanningProblem problem =
        new PlanningProblem(
            "two-tier", model, cluster, new Workload(10, 5), 0,
            new PlanningOptions(List.of(16), List.of(1.0), true, Duration.ofSeconds(10), null));

    Plan plan = new CpSatPlanner(1).plan(problem);

    // Hand computation for L_d = (1,0,0,0), L_c = (0,1,1,1), C_0 = 1:
    //   prefill = 10·(0.1 + 3·0.001) compute + 10·0.001 transfer + 0.010 cut + 0.010 return = 1.06 s
    //   one decode step = 0.1 + 3·0.001 + 0.001 + 0.010 + 0.010 = 0.124 s, five of them = 0.62 s
    double handComputed = 1.06 + 0.62;
    assertThat(plan.shards()).extracting(Plan.Shard::node).containsExactly("device", "cloud");
    assertThat(plan.shards().get(1).firstLayer()).isEqualTo(1);
    assertThat(plan.predicted().totalSeconds()).isCloseTo(handComputed, within(1e-9));
    assertThat(plan.predicted().prefillComputeSeconds()).isCloseTo(1.03, within(1e-9));
    assertThat(plan.predicted().decodeTransferSeconds()).isCloseTo(0.005, within(1e-9));
    assertThat(plan.solver().objectiveSeconds()).isCloseTo(handComputed, within(plan.solver().roundingBoundSeconds()));
  }
}
