package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The running plan's neighbours tried before a replan's solve. */
class ShardRelocationTest {
  /**
   * Origin, then shards on a and b; the origin's link to a slows to half a second. Taking the shards
   * in the other order (origin, b, a) no longer crosses it, and the boundary moves to where b's
   * smaller memory lets it.
   */
  @Test
  void aSlowedHopIsAvoidedByTakingTheShardsInAnotherOrder() {
    TinyProblems base =
        TinyProblems.builder()
            .layers(6)
            .bits(16)
            .budget(10)
            .node(new ComputeNode("o", 1e9, 1e9, 3 * TinyProblems.PARAMS, Tier.EDGE))
            .node(new ComputeNode("a", 1e12, 50e9, 5 * TinyProblems.PARAMS * 2, Tier.EDGE))
            .node(new ComputeNode("b", 1e12, 50e9, 5 * TinyProblems.PARAMS * 2, Tier.EDGE))
            .link("a", "b", 125e6, 0.001)
            .link("b", "o", 125e6, 0.001);
    PlanningProblem fast = base.link("o", "a", 125e6, 0.001).build();
    CostModel before = new CostModel(fast);
    // layer 0 on the origin, 1-3 on a, 4-5 on b
    int[] rho = {-1, 0, -1, -1, 0, -1};
    Assignment running = new Assignment(new int[] {0, 1, 1, 1, 2, 2}, new int[6], rho);
    assertThat(PlanEvaluator.evaluate(before, running).feasible()).isTrue();

    PlanningProblem slowed =
        new PlanningProblem(fast.id(), fast.model(),
            new Cluster(fast.cluster().nodes(),
                fast.cluster().links().stream()
                    .map(l -> l.from().equals("o") && l.to().equals("a") ? new Link("o", "a", 1.25e6, 0.5) : l)
                    .toList(),
                "o"),
            fast.workload(), fast.qualityBudget(), fast.options());
    CostModel after = new CostModel(slowed);
    Assignment moved = ShardRelocation.fastest(after, running);
    assertThat(moved).isNotNull();
    assertThat(moved.nodes()[1]).as("the first hop goes to b now").isEqualTo(2);
    assertThat(PlanEvaluator.evaluate(after, moved).time().totalSeconds())
        .isLessThan(0.5 * PlanEvaluator.evaluate(after, running).time().totalSeconds());
  }

  /**
   * Whatever it returns fits the problem, and from an optimal plan it finds nothing faster: its
   * prices are the evaluator's, the same as the exhaustive search's.
   */
  @Test
  void theAnswerIsFeasibleAndNoSlowerThanTheRunningPlan() {
    Random random = new Random(3);
    int improved = 0;
    int answered = 0;
    for (int t = 0; t < 150; t++) {
      PlanningProblem problem = RandomInstances.draw(random, "relocate-" + t);
      CostModel costs = new CostModel(problem);
      Assignment running = BruteForcePlanner.solve(costs);
      if (running == null) continue;
      Assignment moved = ShardRelocation.fastest(costs, running);
      if (moved == null) continue;
      answered++;
      Evaluation e = PlanEvaluator.evaluate(costs, moved);
      assertThat(e.violations()).isEmpty();
      double runningSeconds = PlanEvaluator.evaluate(costs, running).time().totalSeconds();
      assertThat(e.time().totalSeconds()).isGreaterThanOrEqualTo(runningSeconds * (1 - 1e-12));
      if (e.time().totalSeconds() > runningSeconds * (1 + 1e-9)) improved++;
    }
    assertThat(improved).as("answers slower than the optimal plan they started from").isZero();
    assertThat(answered).isGreaterThan(50);
  }
}
