package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Properties any correct planner has, checked on seeded random instances. */
class PlannerPropertiesTest {
  private static final int INSTANCES = 60;
  private final CpSatPlanner planner = new CpSatPlanner(1);

  private void forRandomFeasible(long seed, java.util.function.BiConsumer<PlanningProblem, Plan> check) {
    Random random = new Random(seed);
    int feasible = 0;
    for (int t = 0; t < INSTANCES; t++) {
      PlanningProblem p = RandomInstances.draw(random, "property-" + t);
      Plan plan = planner.plan(p);
      if (!plan.feasible()) continue;
      feasible++;
      check.accept(p, plan);
    }
    assertThat(feasible).isGreaterThan(INSTANCES / 4);
  }

  private static double slack(Plan a, Plan b) {
    return 2 * (a.solver().roundingBoundSeconds() + b.solver().roundingBoundSeconds()) + 1e-12;
  }

  @Test
  void moreBandwidthNeverIncreasesCompletionTime() {
    forRandomFeasible(
        11,
        (p, plan) -> {
          Plan faster = planner.plan(withLinks(p, l -> new Link(l.from(), l.to(), l.bandwidth() * 3, l.latencySeconds())));
          assertThat(faster.feasible()).isTrue();
          assertThat(faster.predicted().totalSeconds())
              .isLessThanOrEqualTo(plan.predicted().totalSeconds() + slack(plan, faster));
        });
  }

  @Test
  void largerBudgetNeverIncreasesCompletionTime() {
    forRandomFeasible(
        12,
        (p, plan) -> {
          Plan looser =
              planner.plan(new PlanningProblem(p.id(), p.model(), p.cluster(), p.workload(), p.qualityBudget() * 1.5 + 0.01, p.options()));
          assertThat(looser.predicted().totalSeconds())
              .isLessThanOrEqualTo(plan.predicted().totalSeconds() + slack(plan, looser));
        });
  }

  @Test
  void keepTokensOnOriginIsNeverViolated() {
    forRandomFeasible(
        13,
        (p, plan) -> {
          if (p.options().keepTokensOnOrigin()) {
            assertThat(plan.layers().get(0).node()).isEqualTo(p.cluster().origin());
            assertThat(plan.shards().get(0).node()).isEqualTo(p.cluster().origin());
          }
        });
  }

  @Test
  void returnedPlansFitMemoryAndBudget() {
    forRandomFeasible(
        14,
        (p, plan) -> {
          for (ComputeNode node : p.cluster().nodes()) {
            assertThat(plan.memoryByNode().getOrDefault(node.name(), 0L)).isLessThanOrEqualTo(node.memoryBytes());
          }
          assertThat(plan.qualityUsed()).isLessThanOrEqualTo(p.qualityBudget() * (1 + 1e-9) + 1e-9);
          long shardLayers = plan.shards().stream().mapToLong(s -> s.lastLayer() - s.firstLayer() + 1).sum();
          assertThat(shardLayers).isEqualTo(p.model().layers().size());
        });
  }

  private static PlanningProblem withLinks(PlanningProblem p, UnaryOperator<Link> change) {
    List<Link> links = p.cluster().links().stream().map(change).toList();
    return new PlanningProblem(
        p.id(), p.model(), new Cluster(p.cluster().nodes(), links, p.cluster().origin()), p.workload(), p.qualityBudget(), p.options());
  }
}
