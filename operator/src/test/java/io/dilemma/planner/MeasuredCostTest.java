package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cost model with the profiler's measured times: a measured step on a node whose MatMul figure
 * is G costs measured × G_ref / G; the head's per-step work is paid once per step, a cut's round
 * trip once per cut per step; and the ILP stays exact with them.
 */
class MeasuredCostTest {
  private static final double REFERENCE_FLOPS = 4e10;

  /** Two layers, node "a" at the reference figure, "b" at half of it, a 2 ms link. */
  private static PlanningProblem problem() {
    return TinyProblems.builder()
        .node(new ComputeNode("a", REFERENCE_FLOPS, 1e10, 1L << 34, Tier.EDGE))
        .node(new ComputeNode("b", REFERENCE_FLOPS / 2, 1e10, 1L << 34, Tier.EDGE))
        .link("a", "b", 1e8, 0.002)
        .layers(2)
        .bits(16)
        .workload(8, 48, 1)
        .build();
  }

  private static ModelCosts.MeasuredTimes times(double step, double hop) {
    List<List<ModelCosts.MeasuredBits>> layers =
        List.of(List.of(new ModelCosts.MeasuredBits(16, 0.003, 0.001)), List.of(new ModelCosts.MeasuredBits(16, 0.005, 0.002)));
    return new ModelCosts.MeasuredTimes(REFERENCE_FLOPS, layers, 0.004, step, hop);
  }

  private static CostModel measured(double step, double hop) {
    PlanningProblem p = problem();
    return new CostModel(withModel(p, p.model().withMeasured(times(step, hop))));
  }

  private static PlanningProblem withModel(PlanningProblem p, ModelCosts model) {
    return new PlanningProblem(p.id(), model, p.cluster(), p.workload(), p.qualityBudget(), p.options());
  }

  @Test
  void aMeasuredStepCarriesToANodeByTheRatioOfTheMatMulFigures() {
    CostModel costs = measured(0, 0);
    assertThat(costs.layerDecodeSeconds(1, 0, 0)).isCloseTo(0.005, within(1e-12));
    assertThat(costs.layerDecodeSeconds(1, 1, 0)).isCloseTo(0.010, within(1e-12));
    assertThat(costs.layerPrefillSeconds(0, 1, 0)).isCloseTo(8 * 0.002, within(1e-12));
    assertThat(costs.headDecodeSeconds(1)).isCloseTo(0.008, within(1e-12));
    assertThat(costs.headPrefillSeconds(0)).isCloseTo(0.004, within(1e-12));
  }

  @Test
  void withoutMeasuredTimesTheRooflinePrices() {
    CostModel roofline = new CostModel(problem());
    ComputeNode a = roofline.node(0);
    double expected =
        Math.max(problem().model().layers().get(0).decodeFlops() / a.flopsPerSecond(), roofline.weightBytes(0, 0) / a.memoryBandwidth());
    assertThat(roofline.layerDecodeSeconds(0, 0, 0)).isEqualTo(expected);
    assertThat(roofline.stepOverheadSeconds()).isZero();
    assertThat(roofline.latencySeconds(0, 1)).isEqualTo(0.002);
  }

  @Test
  void theHeadsWorkIsPaidOnceAfterPrefillAndOncePerDecodeStep() {
    Assignment local = new Assignment(new int[] {0, 0}, new int[] {0, 0}, new int[] {-1, -1});
    double without = PlanEvaluator.evaluate(measured(0, 0), local).time().totalSeconds();
    double with = PlanEvaluator.evaluate(measured(0.001, 0), local).time().totalSeconds();
    assertThat(with - without).isCloseTo(49 * 0.001, within(1e-12));
  }

  @Test
  void eachCutPaysItsRoundTripOncePerStepAtTheSpeedOfItsTwoEnds() {
    // layer 1 on b: the cut a→b costs (0.001 + 0.002) / 2 per step; the token comes back on the
    // cut's reply, whose work the measured round trip holds, so its return to a adds none
    Assignment split = new Assignment(new int[] {0, 1}, new int[] {0, 0}, new int[] {-1, 0});
    double without = PlanEvaluator.evaluate(measured(0, 0), split).time().totalSeconds();
    double with = PlanEvaluator.evaluate(measured(0, 0.001), split).time().totalSeconds();
    assertThat(with - without).isCloseTo(49 * 0.0015, within(1e-12));
  }

  @Test
  void theTokensReturnPaysTheLinksLatencyOnly() {
    CostModel costs = measured(0, 0.001);
    assertThat(costs.returnLatencySeconds(1)).isEqualTo(0.002);
    assertThat(costs.returnLatencySeconds(0)).isZero();
    assertThat(costs.latencySeconds(0, 1)).isCloseTo(0.002 + 0.0015, within(1e-12));
  }

  @Test
  void cpSatMatchesExhaustiveSearchWithMeasuredTimes() {
    Random random = new Random(20261202);
    Planner planner = new CpSatPlanner(1);
    int feasible = 0;
    for (int t = 0; t < 60; t++) {
      PlanningProblem drawn = RandomInstances.draw(random, "measured-" + t);
      PlanningProblem problem = withModel(drawn, drawn.model().withMeasured(randomTimes(random, drawn)));
      CostModel costs = new CostModel(problem);
      Assignment optimum = BruteForcePlanner.solve(costs);
      Plan plan = planner.plan(problem);
      assertThat(plan.feasible()).as("feasibility of %s", problem.id()).isEqualTo(optimum != null);
      if (optimum == null) continue;
      feasible++;
      double exact = PlanEvaluator.evaluate(costs, optimum).time().totalSeconds();
      assertThat(plan.predicted().totalSeconds())
          .as("T_total of %s", problem.id())
          .isCloseTo(exact, within(2 * plan.solver().roundingBoundSeconds() + 1e-12));
    }
    assertThat(feasible).isGreaterThan(10);
  }

  /** Measured times at the node figures' scale, some widths left unmeasured (priced by the roofline). */
  private static ModelCosts.MeasuredTimes randomTimes(Random random, PlanningProblem p) {
    List<List<ModelCosts.MeasuredBits>> layers = new ArrayList<>();
    for (ModelCosts.LayerCost layer : p.model().layers()) {
      List<ModelCosts.MeasuredBits> bits = new ArrayList<>();
      for (ModelCosts.BitOption option : layer.bits()) {
        if (random.nextInt(4) == 0) continue;
        bits.add(new ModelCosts.MeasuredBits(option.bits(), 1e-4 + random.nextDouble() * 1e-2, 1e-5 + random.nextDouble() * 1e-3));
      }
      layers.add(bits);
    }
    double reference = p.cluster().nodes().get(0).flopsPerSecond();
    return new ModelCosts.MeasuredTimes(reference, layers, random.nextDouble() * 1e-3, random.nextDouble() * 1e-3, random.nextDouble() * 1e-3);
  }
}
