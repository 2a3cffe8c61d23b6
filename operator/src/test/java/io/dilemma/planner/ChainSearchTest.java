package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ChainSearchTest {
  private static final Duration NO_HURRY = Duration.ofMinutes(1);

  /** A slow origin and a fast node that cannot hold the model: memory and quality both bind. */
  private static PlanningProblem memoryTight() {
    long p = TinyProblems.PARAMS;
    return TinyProblems.builder()
        .layers(6)
        .budget(1.0)
        .node(new ComputeNode("o", 1e12, 1e9, 3 * p, Tier.EDGE))
        .node(new ComputeNode("fast", 1e12, 1e11, 4 * p, Tier.EDGE))
        .node(new ComputeNode("mid", 1e12, 2e10, 20 * p, Tier.EDGE))
        .link("o", "fast", 1e8, 0.001)
        .link("o", "mid", 1e8, 0.001)
        .link("fast", "mid", 1e8, 0.001)
        .build();
  }

  @Test
  void theSearchAloneFindsTheExhaustiveOptimum() {
    Random random = new Random(20261202);
    int feasible = 0;
    for (int t = 0; t < 240; t++) {
      CostModel costs = new CostModel(RandomInstances.draw(random, "search-" + t));
      Assignment optimum = BruteForcePlanner.solve(costs);
      ChainSearch.Result result = ChainSearch.solve(costs, PlacementIlp.build(costs), null, Long.MAX_VALUE, NO_HURRY, Double.NEGATIVE_INFINITY);

      assertThat(result.proven()).as("search of %s ran to the end", t).isTrue();
      assertThat(result.best() != null).as("feasibility of instance %s", t).isEqualTo(optimum != null);
      if (optimum == null) continue;
      feasible++;
      Evaluation found = PlanEvaluator.evaluate(costs, result.best());
      double exact = PlanEvaluator.evaluate(costs, optimum).time().totalSeconds();
      assertThat(found.feasible()).as("the evaluator accepts the plan of %s: %s", t, found.violations()).isTrue();
      assertThat(found.time().totalSeconds()).as("T_total of %s", t).isCloseTo(exact, Offset.offset(1e-9 * exact));
      assertThat(result.bestSeconds()).isCloseTo(found.time().totalSeconds(), Offset.offset(1e-9 * exact));
    }
    assertThat(feasible).isGreaterThan(100);
  }

  /**
   * The bound's promise, checked along the optimal chain itself: at every layer, what the chain
   * cost so far plus the bound on the rest never exceeds its total, at any memory prices.
   */
  @Test
  void theBoundNeverExceedsWhatTheOptimalChainStillCosts() {
    Random random = new Random(77);
    int checked = 0;
    for (int t = 0; t < 200; t++) {
      CostModel costs = new CostModel(RandomInstances.draw(random, "bound-" + t));
      Assignment optimum = BruteForcePlanner.solve(costs);
      if (optimum == null) continue;
      double total = PlanEvaluator.evaluate(costs, optimum).time().totalSeconds();
      double[] prices = new double[costs.nodeCount()];
      for (int k = 0; k < prices.length; k++) prices[k] = random.nextBoolean() ? 0 : random.nextDouble() * total / 1e8;
      CompletionBound bound =
          CompletionBound.priced(costs, prices, 1 + random.nextInt(300), ChainSearch.withSlack(costs.qualityBudget()));
      assertThat(bound.rootBound()).as("root bound of %s", t).isLessThanOrEqualTo(total * (1 + 1e-9));

      long[] memory = new long[costs.nodeCount()];
      memory[costs.origin()] = costs.embeddingBytes();
      double spent = 0;
      double quality = 0;
      int previous = costs.origin();
      for (int i = 0; i < costs.layerCount() - 1; i++) {
        int k = optimum.nodes()[i];
        int b = optimum.bits()[i];
        spent += costs.layerTotalSeconds(i, k, b);
        quality += costs.layerQuality(i, b);
        memory[k] += costs.layerMemoryBytes(i, b);
        if (k != previous) {
          spent += costs.cutTotalSeconds(i - 1, previous, k, optimum.rhoAt(i - 1));
          quality += costs.cutQuality(i - 1, optimum.rhoAt(i - 1));
        }
        double memoryPrice = 0;
        for (int m = 0; m < memory.length; m++) memoryPrice += prices[m] * (costs.memoryCapacity(m) - memory[m]);
        double rest = bound.priced(i + 1, k, bound.unitsLeft(quality)) - memoryPrice;
        assertThat(spent + rest).as("bound after layer %d of %s", i, t).isLessThanOrEqualTo(total * (1 + 1e-9));
        previous = k;
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(100);
  }

  @Test
  void aSearchThatRunsOutOfLabelsProvesNothingAndKeepsItsBest() {
    PlanningProblem problem = memoryTight();
    CostModel costs = new CostModel(problem);
    Assignment start = ChainDpHeuristic.find(costs);

    ChainSearch.Result cut = ChainSearch.solve(costs, PlacementIlp.build(costs), start, 1, NO_HURRY, Double.NEGATIVE_INFINITY);
    ChainSearch.Result full = ChainSearch.solve(costs, PlacementIlp.build(costs), start, Long.MAX_VALUE, NO_HURRY, Double.NEGATIVE_INFINITY);

    assertThat(cut.proven()).isFalse();
    assertThat(cut.best()).isEqualTo(start);
    assertThat(full.proven()).isTrue();
    assertThat(full.bestSeconds()).isLessThanOrEqualTo(cut.bestSeconds());
  }

  @Test
  void onlyNodesThatCannotHoldTheWholeModelAreTracked() {
    CostModel costs = new CostModel(memoryTight());
    boolean[] tight = ChainSearch.tightNodes(costs);
    for (int k = 0; k < costs.nodeCount(); k++) {
      long whole = costs.headBytes() + (k == costs.origin() ? costs.embeddingBytes() : 0);
      for (int i = 0; i < costs.layerCount(); i++) {
        long widest = 0;
        for (int b = 0; b < costs.bitOptionCount(); b++) widest = Math.max(widest, costs.layerMemoryBytes(i, b));
        whole += widest;
      }
      assertThat(tight[k]).as("node %s", costs.node(k).name()).isEqualTo(whole > costs.memoryCapacity(k));
    }
    assertThat(List.of(tight[0], tight[1])).contains(true);
  }

  @Test
  void theProductionPlannerReportsWhichSolverProvedItsPlan() {
    Plan plan = new CpSatPlanner().plan(memoryTight());
    Plan alone = new IlpPlanner(new io.dilemma.planner.ilp.CpSatBackend(1), false).plan(memoryTight());

    assertThat(plan.solver().solver()).isEqualTo("chain search");
    assertThat(alone.solver().solver()).isEqualTo("CP-SAT");
    assertThat(plan.predicted().totalSeconds())
        .isCloseTo(alone.predicted().totalSeconds(), Offset.offset(2 * alone.solver().roundingBoundSeconds() + 1e-9));
  }
}
