package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.operator.Fixtures;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.ClusterObserver;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.PlanningProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemBuilderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GIB = 1L << 30;
  private static final long OVERHEAD = 100L << 20;
  private final io.dilemma.api.LLMDeploymentSpec spec = Fixtures.spec("a", 0.5);
  private final ModelCosts costs =
      ModelCostsFromProfile.toModelCosts(
          Fixtures.profile(4, 256), spec.quality().metric(), spec.allowedBits(), spec.allowedRho());

  private ClusterObservation observe(Map<String, Long> heldByOthers, boolean bReady) {
    var nodes =
        List.of(
            Fixtures.node("a", 10, 4, 4 * GIB, true),
            Fixtures.node("b", 20, 8, 8 * GIB, bReady),
            Fixtures.node("c", 30, 8, 8 * GIB, true));
    var links = Fixtures.mesh(List.of("a", "b", "c", "gone"), 100, 2, NOW);
    return ClusterObserver.observe(
        spec.placement(), nodes, links, heldByOthers, LinkReading.Freshness.defaults(), NOW);
  }

  @Test
  void eachNodeOffersWhatOthersLeaveMinusOneWorkerOverhead() throws Exception {
    PlanningProblem problem =
        new ProblemBuilder(OVERHEAD)
            .build("llm/x", spec, costs, observe(Map.of("c", 3 * GIB), true), Map.of(), null);
    Map<String, ComputeNode> nodes = problem.cluster().nodesByName();
    assertThat(nodes.get("a").memoryBytes()).isEqualTo(4 * GIB - OVERHEAD);
    assertThat(nodes.get("c").memoryBytes()).isEqualTo(5 * GIB - OVERHEAD);
    assertThat(nodes.get("c").flopsPerSecond()).isEqualTo(30e9);
  }

  @Test
  void notReadyNodesAndLinksToUnknownNodesAreLeftOut() throws Exception {
    PlanningProblem problem =
        new ProblemBuilder(OVERHEAD).build("llm/x", spec, costs, observe(Map.of(), false), Map.of(), null);
    assertThat(problem.cluster().nodes()).extracting(ComputeNode::name).containsExactly("a", "c");
    assertThat(problem.cluster().links())
        .allMatch(l -> List.of("a", "c").contains(l.from()) && List.of("a", "c").contains(l.to()))
        .hasSize(2);
  }

  /**
   * Informers list nodes and links in no fixed order; the same cluster in another order must be
   * the same problem, or an unchanged deployment is solved again (it was: a 10 s re-solve of the
   * 7B example whenever an unrelated node appeared).
   */
  @Test
  void theSameClusterListedInAnotherOrderIsTheSameProblem() throws Exception {
    var nodes =
        List.of(
            Fixtures.node("a", 10, 4, 4 * GIB, true),
            Fixtures.node("b", 20, 8, 8 * GIB, true),
            Fixtures.node("c", 30, 8, 8 * GIB, true));
    var links = Fixtures.mesh(List.of("a", "b", "c"), 100, 2, NOW);
    var shuffledNodes = List.of(nodes.get(2), nodes.get(0), nodes.get(1));
    var shuffledLinks = new java.util.ArrayList<>(links);
    java.util.Collections.reverse(shuffledLinks);
    var builder = new ProblemBuilder(OVERHEAD);
    PlanningProblem listed =
        builder.build("llm/x", spec, costs,
            ClusterObserver.observe(spec.placement(), nodes, links, Map.of(), LinkReading.Freshness.defaults(), NOW),
            Map.of(), null);
    PlanningProblem shuffled =
        builder.build("llm/x", spec, costs,
            ClusterObserver.observe(spec.placement(), shuffledNodes, shuffledLinks, Map.of(), LinkReading.Freshness.defaults(), NOW),
            Map.of(), null);
    assertThat(shuffled).isEqualTo(listed);
  }

  @Test
  void specFieldsBecomeOptionsWorkloadAndBudget() throws Exception {
    PlanningProblem problem =
        new ProblemBuilder(OVERHEAD).build("llm/x", spec, costs, observe(Map.of(), true), Map.of(), null);
    assertThat(problem.cluster().origin()).isEqualTo("a");
    assertThat(problem.workload().promptTokens()).isEqualTo(64);
    assertThat(problem.workload().outputTokens()).isEqualTo(32);
    assertThat(problem.qualityBudget()).isEqualTo(0.5);
    assertThat(problem.options().allowedBits()).containsExactly(2, 3, 4, 8, 16);
    assertThat(problem.options().keepTokensOnOrigin()).isTrue();
    assertThat(problem.options().timeLimit()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void extraReservationsShrinkTheirNodeOnly() throws Exception {
    PlanningProblem problem =
        new ProblemBuilder(OVERHEAD)
            .build("llm/x", spec, costs, observe(Map.of(), true), Map.of("b", OVERHEAD), null);
    assertThat(problem.cluster().nodesByName().get("b").memoryBytes()).isEqualTo(8 * GIB - 2 * OVERHEAD);
    assertThat(problem.cluster().nodesByName().get("c").memoryBytes()).isEqualTo(8 * GIB - OVERHEAD);
  }

  @Test
  void anOriginThatIsNotReadyIsNamedInTheError() {
    var notReadyOrigin = Fixtures.spec("b", 0.5);
    assertThatThrownBy(
            () ->
                new ProblemBuilder(OVERHEAD)
                    .build("llm/x", notReadyOrigin, costs, observe(Map.of(), false), Map.of(), null))
        .isInstanceOf(ProblemBuilder.UnplannableException.class)
        .hasMessage(
            "spec.placement.originNode: node 'b' is not a Ready node matching spec.placement.nodeSelector");
  }
}
