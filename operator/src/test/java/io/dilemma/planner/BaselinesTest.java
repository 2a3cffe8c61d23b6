package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.ilp.CpSatBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  private final Baselines baselines = new Baselines(new CpSatBackend(1));

  @Test
  void allOnOriginUsesOneNodeAtSixteenBitsAndReportsWhatItBreaks() {
    PlanningProblem p =
        TinyProblems.builder().node("origin", 1e9, 100_000).node("other", 1e9, 1L << 30).link("origin", "other", 1e9, 0).build();
    Baselines.Result r = baselines.allOnOrigin16Bits(new CostModel(p));
    assertThat(r.feasible()).isFalse();
    assertThat(r.note()).contains("origin needs");
    assertThat(r.evaluation().quantizationRatio()).isEqualTo(1.0);
  }

  @Test
  void bestSingleNodePicksTheFastestNodeThatHoldsTheModel() {
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e9, 1L << 30)
            .node("fast-small", 1e12, 100_000)
            .node("fast", 1e11, 1L << 30)
            .link("origin", "fast-small", 1e9, 0)
            .link("origin", "fast", 1e9, 0)
            .build();
    Baselines.Result r = baselines.bestSingleNode(new CostModel(p));
    assertThat(r.name()).contains("(fast)");
    assertThat(r.feasible()).isTrue();
  }

  @Test
  void memoryProportionalSplitIsContiguousAndFollowsMemory() {
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e9, 1L << 30)
            .node("twice", 1e9, 2L << 30)
            .link("origin", "twice", 1e9, 0)
            .layers(6)
            .build();
    Baselines.Result r = baselines.memoryProportional(new CostModel(p));
    assertThat(r.evaluation().memoryByNode()[0]).isLessThan(r.evaluation().memoryByNode()[1]);
    assertThat(r.evaluation().quantizationRatio()).isEqualTo(1.0);
    assertThat(r.feasible()).isTrue();
  }
}
