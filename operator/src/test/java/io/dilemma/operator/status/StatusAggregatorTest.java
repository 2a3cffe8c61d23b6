package io.dilemma.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.operator.Fixtures;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanningOutcome;
import io.dilemma.operator.plan.ReplanReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final LLMDeploymentStatus EMPTY = new LLMDeploymentStatus(null, null, null, null, null, null);

  private static LLMDeploymentStatus aggregate(
      LLMDeploymentStatus previous, PlanningOutcome outcome, String serving, Map<String, ShardSet> sets, Instant now) {
    return StatusAggregator.aggregate(
        new StatusAggregator.Inputs(previous, 1, outcome, serving, sets, null, List.of(), now, null, null));
  }

  @Test
  void aFreshPlanWithAllShardsAvailableIsReadyPlannedAndNotDegraded() {
    var status =
        aggregate(EMPTY, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null), "p1",
            Map.of("p1", new ShardSet(2, 2)), T0);
    assertThat(status.condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(status.condition("Ready").orElseThrow().getReason()).isEqualTo("AllShardsAvailable");
    assertThat(status.condition("Planned").orElseThrow().getMessage())
        .isEqualTo("CP-SAT OPTIMAL in 0.020 s: 2 shards, predicted 2.500 s, 37.5% of 16-bit weight bits.");
    assertThat(status.condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(status.lastReplanReason()).isEqualTo("Initial");
    assertThat(status.lastReplanTime()).isEqualTo(T0.toString());
    assertThat(status.observedGeneration()).isEqualTo(1L);
    assertThat(status.conditions()).allMatch(c -> c.getObservedGeneration() == 1L);
  }

  @Test
  void anUnchangedWorldGivesAnEqualStatusSoThePatchIsSkipped() {
    var outcome = new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null);
    var first = aggregate(EMPTY, outcome, "p1", Map.of("p1", new ShardSet(2, 2)), T0);
    var kept = new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, null);
    var second = aggregate(first, kept, "p1", Map.of("p1", new ShardSet(2, 2)), T0.plusSeconds(30));
    assertThat(second).isEqualTo(first);
  }

  @Test
  void aKeptSearchReachesTheStatusAndStaysThereUntilTheNextSearch() {
    var first = aggregate(EMPTY, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null), "p1",
        Map.of("p1", new ShardSet(2, 2)), T0);
    assertThat(first.lastEvaluation()).as("the first plan was not a search against a running one").isNull();
    var evaluation = new PlanningOutcome.Evaluation(
        T0.plusSeconds(90), 0.37812345, java.util.OptionalDouble.of(0.3641), 0.10, io.dilemma.operator.plan.EvaluationDecision.Kept);
    var searched = aggregate(first, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, evaluation), "p1",
        Map.of("p1", new ShardSet(2, 2)), T0.plusSeconds(90));
    var status = searched.lastEvaluation();
    assertThat(status.time()).isEqualTo(T0.plusSeconds(90).toString());
    assertThat(status.runningSeconds()).isEqualTo(0.3781);
    assertThat(status.bestFoundSeconds()).isEqualTo(0.3641);
    assertThat(status.minRelativeImprovement()).isEqualTo(0.10);
    assertThat(status.decision()).isEqualTo("Kept");
    assertThat(status.message())
        .isEqualTo("The running plan predicts 0.378 s on the current figures; the best plan found predicts 0.364 s"
            + " (3.7 % faster, a replan needs 10 %): kept.");
    assertThat(searched.lastReplanReason()).as("keeping is not a replan").isEqualTo("Initial");
    var later = aggregate(searched, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, null), "p1",
        Map.of("p1", new ShardSet(2, 2)), T0.plusSeconds(120));
    assertThat(later).as("a reconcile that did not search changes nothing").isEqualTo(searched);
  }

  @Test
  void aRunningPlanThatCannotBePricedLeavesItsPredictionOutOfTheStatus() {
    // the replan policy treats a running plan priced at infinity as always worth replacing
    var evaluation = new PlanningOutcome.Evaluation(
        T0, Double.POSITIVE_INFINITY, java.util.OptionalDouble.of(0.3641), 0.10, io.dilemma.operator.plan.EvaluationDecision.Replanned);
    var status = aggregate(EMPTY, new PlanningOutcome.Planned(Fixtures.plan("p2", 2), ReplanReason.Improvement, T0, evaluation), "p1",
        Map.of("p1", new ShardSet(2, 2)), T0).lastEvaluation();
    assertThat(status.runningSeconds()).isNull();
    assertThat(status.bestFoundSeconds()).isEqualTo(0.3641);
    assertThat(status.decision()).isEqualTo("Replanned");
  }

  @Test
  void transitionTimeMovesOnlyWhenTheConditionFlips() {
    var outcome = new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, null);
    var ready = aggregate(EMPTY, outcome, "p1", Map.of("p1", new ShardSet(2, 2)), T0);
    var lost = aggregate(ready, outcome, "p1", Map.of("p1", new ShardSet(2, 1)), T0.plusSeconds(10));
    var readyCondition = lost.condition("Ready").orElseThrow();
    assertThat(readyCondition.getStatus()).isEqualTo("False");
    assertThat(readyCondition.getReason()).isEqualTo("ShardsUnavailable");
    assertThat(readyCondition.getMessage()).isEqualTo("1 of 2 shards of plan p1 are available.");
    assertThat(readyCondition.getLastTransitionTime()).isEqualTo(T0.plusSeconds(10).toString());
    assertThat(lost.condition("Planned").orElseThrow().getLastTransitionTime()).isEqualTo(T0.toString());
  }

  @Test
  void duringARolloutTheOldPlanServesAndReadyStaysTrue() {
    var status =
        aggregate(EMPTY, new PlanningOutcome.Planned(Fixtures.plan("p2", 3), ReplanReason.Improvement, T0, null), "p1",
            Map.of("p1", new ShardSet(2, 2), "p2", new ShardSet(3, 1)), T0);
    var ready = status.condition("Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("RollingOut");
    assertThat(ready.getMessage()).isEqualTo("Plan p1 serves while plan p2 starts (1 of 3 shards available).");
    assertThat(status.plan().planId()).isEqualTo("p2");
    assertThat(status.servingPlanId()).isEqualTo("p1");
  }

  @Test
  void infeasibleBudgetIsTheExplainersOneSentenceWithNothingRunIntoIt() {
    String sentence =
        "The quality budget 0.01 is below the smallest loss any plan reaches on these nodes; the smallest feasible budget is 0.0625.";
    var status = aggregate(EMPTY, new PlanningOutcome.Infeasible(sentence, 0.0625), null, Map.of(), T0);
    var planned = status.condition("Planned").orElseThrow();
    assertThat(planned.getStatus()).isEqualTo("False");
    assertThat(planned.getReason()).isEqualTo("Infeasible");
    assertThat(planned.getMessage())
        .isEqualTo(sentence);
    assertThat(status.condition("Ready").orElseThrow().getReason()).isEqualTo("NotPlanned");
  }

  @Test
  void whenANewPlanCannotBeMadeThePreviousOneKeepsRunningAndThatIsDegraded() {
    var running =
        aggregate(EMPTY, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null), "p1",
            Map.of("p1", new ShardSet(2, 2)), T0);
    var status =
        aggregate(running, new PlanningOutcome.Unplannable(PlanningOutcome.Cause.InvalidSpec, "spec.allowedBits: 5 is not one of [2, 3, 4, 8, 16]"),
            "p1", Map.of("p1", new ShardSet(2, 2)), T0.plusSeconds(5));
    assertThat(status.plan().planId()).isEqualTo("p1");
    assertThat(status.condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(status.condition("Planned").orElseThrow().getReason()).isEqualTo("InvalidSpec");
    assertThat(status.condition("Degraded").orElseThrow().getReason()).isEqualTo("RunningPreviousPlan");
    assertThat(status.lastReplanReason()).isEqualTo("Initial");
  }

  @Test
  void lostNodesOutrankOtherDegradations() {
    var status =
        StatusAggregator.aggregate(
            new StatusAggregator.Inputs(EMPTY, 1, new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, null), "p1",
                Map.of("p1", new ShardSet(2, 1)), null, List.of("n1"), T0, null, null));
    var degraded = status.condition("Degraded").orElseThrow();
    assertThat(degraded.getReason()).isEqualTo("NodeLost");
    assertThat(degraded.getMessage()).isEqualTo("Nodes gone or not Ready: n1.");
  }

  @Test
  void aNodeLossStaysDegradedUntilThePlanWithoutTheNodeServes() {
    var lostAt = replannedAroundLostNode("p1", Map.of("p1", new ShardSet(2, 2), "p2", new ShardSet(2, 0)));
    // the next reconcile plans from p2, which holds no lost node, while p1 still serves
    var starting = aggregate(lostAt, P2_KEPT, "p1", Map.of("p1", new ShardSet(2, 2), "p2", new ShardSet(2, 1)), T0.plusSeconds(1));
    assertStillNodeLostSinceT0(starting);
    var serving = aggregate(starting, P2_KEPT, "p2", Map.of("p2", new ShardSet(2, 2)), T0.plusSeconds(15));
    assertThat(serving.condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
  }

  @Test
  void aNodeLossReplacedInsteadOfSideBySideStaysDegradedUntilTheNewPlansShardsAreAvailable() {
    var lostAt = replannedAroundLostNode("p2", Map.of("p2", new ShardSet(2, 0)));
    // replace path: the head Service selects p2 at once, and its shards are still starting
    var starting = aggregate(lostAt, P2_KEPT, "p2", Map.of("p2", new ShardSet(2, 1)), T0.plusSeconds(1));
    assertStillNodeLostSinceT0(starting);
    var serving = aggregate(starting, P2_KEPT, "p2", Map.of("p2", new ShardSet(2, 2)), T0.plusSeconds(15));
    assertThat(serving.condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
  }

  /** p2 kept by the reconciles after the replan. */
  private static final PlanningOutcome.Planned P2_KEPT = new PlanningOutcome.Planned(Fixtures.plan("p2", 2), null, null, null);

  /** The reconcile that found n1 lost and replanned to p2, at T0. */
  private static LLMDeploymentStatus replannedAroundLostNode(String serving, Map<String, ShardSet> shards) {
    return StatusAggregator.aggregate(
        new StatusAggregator.Inputs(EMPTY, 1, new PlanningOutcome.Planned(Fixtures.plan("p2", 2), ReplanReason.PlanInfeasible, T0, null),
            serving, shards, null, List.of("n1"), T0, null, null));
  }

  private static void assertStillNodeLostSinceT0(LLMDeploymentStatus status) {
    var degraded = status.condition("Degraded").orElseThrow();
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("NodeLost");
    assertThat(degraded.getMessage()).isEqualTo("Nodes gone or not Ready: n1.");
    assertThat(degraded.getLastTransitionTime()).isEqualTo(T0.toString());
  }

  @Test
  void aServingChainThatLosesAShardIsDegradedUntilItIsWholeAgain() {
    var outcome = new PlanningOutcome.Planned(Fixtures.plan("p1", 2), null, null, null);
    var ready = aggregate(EMPTY, outcome, "p1", Map.of("p1", new ShardSet(2, 2)), T0);
    var lost = aggregate(ready, outcome, "p1", Map.of("p1", new ShardSet(2, 1)), T0.plusSeconds(10));
    var stillLost = aggregate(lost, outcome, "p1", Map.of("p1", new ShardSet(2, 1)), T0.plusSeconds(20));
    var back = aggregate(stillLost, outcome, "p1", Map.of("p1", new ShardSet(2, 2)), T0.plusSeconds(30));
    for (var status : List.of(lost, stillLost)) {
      var degraded = status.condition("Degraded").orElseThrow();
      assertThat(degraded.getStatus()).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("ServingShardLost");
      assertThat(degraded.getLastTransitionTime()).isEqualTo(T0.plusSeconds(10).toString());
    }
    assertThat(lost.condition("Degraded").orElseThrow().getMessage())
        .isEqualTo("Plan p1 was serving and now has 1 of 2 shards available; requests fail until they return.");
    assertThat(back.condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(back.condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void aChainStillStartingIsNotReadyButNotDegraded() {
    var outcome = new PlanningOutcome.Planned(Fixtures.plan("p1", 2), ReplanReason.Initial, T0, null);
    var starting = aggregate(EMPTY, outcome, "p1", Map.of("p1", new ShardSet(2, 0)), T0);
    var half = aggregate(starting, outcome, "p1", Map.of("p1", new ShardSet(2, 1)), T0.plusSeconds(5));
    assertThat(half.condition("Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(half.condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
  }
}
