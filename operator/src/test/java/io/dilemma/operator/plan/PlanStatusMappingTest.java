package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.api.PlanStatus;
import io.dilemma.planner.Plan;
import io.dilemma.planner.ilp.SolverStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanStatusMappingTest {
  private static final Plan PLAN =
      new Plan(
          "p",
          List.of(new Plan.LayerAssignment(0, "a", 8), new Plan.LayerAssignment(1, "a", 4), new Plan.LayerAssignment(2, "b", 16)),
          List.of(
              new Plan.Shard(0, "a", 0, 1, List.of(8, 4), 0.25, 3_000, 1_000, 0.002),
              new Plan.Shard(1, "b", 2, 2, List.of(16), null, 5_000, 2_000, 0.004)),
          0.5,
          new Plan.TimeBreakdown(10, 1, 2, 3, 4, 5, 6),
          0.75,
          Map.of("a", 3_000L, "b", 5_000L),
          0.5,
          new Plan.SolverReport("CP-SAT", SolverStatus.OPTIMAL, 10, 10, 0, 0.1, 0),
          null);

  /** Every shard and time figure survives the way into the status and back, in both twins. */
  @Test
  void aPlanComesBackFromItsStatusWithEveryShardAndTimeFigure() {
    PlanStatus status = PlanStatusMapping.toStatus(PLAN, 7);
    assertThat(status.shards().get(0)).isEqualTo(new PlanStatus.ShardStatus(0, "a", 0, 1, List.of(8, 4), 0.25, 3_000, 1_000, 0.002));
    assertThat(status.predicted()).isEqualTo(new PlanStatus.PredictedTime(10, 1, 2, 3, 4, 5, 6));

    Plan back = PlanStatusMapping.toPlan("p", status);
    assertThat(back.shards()).isEqualTo(PLAN.shards());
    assertThat(back.layers()).isEqualTo(PLAN.layers());
    assertThat(back.predicted()).isEqualTo(PLAN.predicted());
    assertThat(back.embeddingRho()).isEqualTo(PLAN.embeddingRho());
  }

  record Narrow(int index, String node) {}

  /** A component added to one twin only is an error, not a figure silently dropped. */
  @Test
  void recordsThatAreNotTwinsAreRefused() {
    assertThatThrownBy(() -> MirroredRecords.copy(PLAN.shards().get(0), Narrow.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not twins");
  }
}
