package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiModelPlanningTest {
  private final CpSatPlanner planner = new CpSatPlanner(1);
  private static final long LAYER = 2 * TinyProblems.PARAMS + 1000L * 24;

  /** A fast node with room for three 16-bit layers, and a slow origin with room for everything. */
  private static List<PlanningProblem> twoModels() {
    TinyProblems cluster =
        TinyProblems.builder()
            .node("origin", 1e8, 1L << 30)
            .node("fast", 1e11, 3 * LAYER + 2000)
            .link("origin", "fast", 1e9, 0)
            .keepTokensOnOrigin(false)
            .bits(16)
            .layers(2);
    PlanningProblem first = cluster.workload(16, 8).build();
    PlanningProblem second = cluster.workload(8, 16).build();
    return List.of(rename(first, "first"), rename(second, "second"));
  }

  private static PlanningProblem rename(PlanningProblem p, String id) {
    return new PlanningProblem(id, p.model(), p.cluster(), p.workload(), p.qualityBudget(), p.options());
  }

  private static double total(List<Plan> plans) {
    return plans.stream().mapToDouble(p -> p.predicted().totalSeconds()).sum();
  }

  private static void assertFitsTogether(List<PlanningProblem> problems, List<Plan> plans) {
    Map<String, Long> used = new HashMap<>();
    plans.forEach(p -> p.memoryByNode().forEach((node, bytes) -> used.merge(node, bytes, Long::sum)));
    for (ComputeNode node : problems.get(0).cluster().nodes()) {
      assertThat(used.getOrDefault(node.name(), 0L)).isLessThanOrEqualTo(node.memoryBytes());
    }
  }

  @Test
  void sequentialPlansInPriorityOrderOnWhatIsLeft() {
    List<PlanningProblem> problems = twoModels();
    List<Plan> plans = planner.planAll(problems, Planner.MultiModelMode.SEQUENTIAL);
    assertThat(plans).extracting(Plan::problemId).containsExactly("first", "second");
    // the first model takes the fast node for both its layers; the second gets one layer there
    assertThat(plans.get(0).layers()).extracting(Plan.LayerAssignment::node).containsOnly("fast");
    assertThat(plans.get(1).layers()).extracting(Plan.LayerAssignment::node).containsOnlyOnce("fast");
    assertFitsTogether(problems, plans);
  }

  @Test
  void jointPlanningIsNeverWorseThanSequentialAndHereBetter() {
    List<PlanningProblem> problems = twoModels();
    List<Plan> sequential = planner.planAll(problems, Planner.MultiModelMode.SEQUENTIAL);
    List<Plan> joint = planner.planAll(problems, Planner.MultiModelMode.JOINT);
    assertFitsTogether(problems, joint);
    assertThat(joint.get(0).solver().status()).isEqualTo(io.dilemma.planner.ilp.SolverStatus.OPTIMAL);
    // the second model decodes twice as many tokens, so the joint plan gives it the fast node
    assertThat(joint.get(1).layers()).extracting(Plan.LayerAssignment::node).containsOnly("fast");
    assertThat(total(joint)).isLessThan(total(sequential));
  }

  @Test
  void jointPlanThatCannotFitSaysWhichModelAndWhy() {
    TinyProblems small =
        TinyProblems.builder().node("origin", 1e8, 3 * LAYER + 4000).bits(16).layers(2).keepTokensOnOrigin(false);
    List<PlanningProblem> problems = List.of(rename(small.build(), "a"), rename(small.build(), "b"));
    List<Plan> joint = planner.planAll(problems, Planner.MultiModelMode.JOINT);
    assertThat(joint).allMatch(p -> !p.feasible());
    assertThat(joint.get(0).infeasibility().family()).isEqualTo(Plan.Infeasibility.Family.MEMORY);
  }
}
