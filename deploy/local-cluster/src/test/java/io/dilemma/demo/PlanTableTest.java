package io.dilemma.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.api.PlanStatus.PredictedTime;
import io.dilemma.api.PlanStatus.ShardStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTableTest {
  /** Layers 0-2 on the gateway at 8, 8, 4 bits, then the single layer 3 on the NUC at 16. */
  static PlanStatus twoShardPlan() {
    return new PlanStatus("p-7f3a", 2L, 2,
        List.of(new ShardStatus(0, "pi5-gateway", 0, 2, List.of(8, 8, 4), 0.25, 3 * 1048576L + 524288, 0, 0.00125),
            new ShardStatus(1, "nuc-office", 3, 3, List.of(16), null, 10 * 1048576L, 0, 0.0005)),
        null, new PredictedTime(1.5, 0.1, 0.02, 0.003, 1.2, 0.15, 0.027), 0.0421, 0.6875, 68.75, Map.of(), null);
  }

  @Test
  void theLayoutIsTheChainOnOneLineHeadFirstWithItsBitRuns() {
    assertThat(PlanTable.layout(twoShardPlan())).isEqualTo("pi5-gateway 0-2 @8×2,4 | nuc-office 3-3 @16");
  }

  @Test
  void theTableHasTheSummaryAShardARowAHopALineAndThePredictionsParts() {
    String table = PlanTable.render(twoShardPlan(),
        List.of(new PlanLinkStatus("pi5-gateway", "nuc-office", "pi5-gateway--nuc-office", 94.2, 1.35, "probe")));
    assertThat(table.lines().toList()).containsExactly(
        "  plan p-7f3a: 2 shard(s), quality used 0.0421, weights keep 68.8% of their 16-bit bits",
        "  shard  node               layers  bits        rho out  memory     decode/token",
        "  0      pi5-gateway        0-2     8×2,4       0.25     3.5 MiB    1.25 ms",
        "  1      nuc-office         3       16          -        10.0 MiB   0.50 ms",
        "  hop pi5-gateway -> nuc-office priced at 94.2 Mbit/s, RTT 1.35 ms",
        "  predicted T_total 1.500 s = prefill 0.123 s (compute 0.100, transfer 0.020, latency 0.003)"
            + " + decode 1.377 s (compute 1.200, transfer 0.150, latency 0.027)");
  }

  @Test
  void aHopWithNothingKnownShowsNoFigures() {
    String table = PlanTable.render(twoShardPlan(), List.of(PlanLinkStatus.unknown("nuc-office", "pi5-gateway", "stale-default")));
    assertThat(table).contains("  hop nuc-office -> pi5-gateway priced at null Mbit/s, RTT null ms\n");
  }
}
