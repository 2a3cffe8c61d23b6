package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.operator.observe.ShardSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutStepsTest {

  @Test
  void theFirstPlanGetsTheHeadServiceAtOnce() {
    var steps = RolloutSteps.next("new", null, Map.of("new", new ShardSet(3, 0)), true);
    assertThat(steps.pointHeadAt()).contains("new");
    assertThat(steps.deletePlans()).isEmpty();
  }

  @Test
  void theHeadStaysOnTheOldPlanUntilEveryNewShardIsAvailable() {
    var steps =
        RolloutSteps.next("new", "old", Map.of("old", new ShardSet(2, 2), "new", new ShardSet(3, 2)), true);
    assertThat(steps.pointHeadAt()).isEmpty();
    assertThat(steps.deletePlans()).as("the old plan still serves").isEmpty();
  }

  @Test
  void onceTheNewShardsAreAvailableTheHeadSwitchesAndOnlyThenTheOldGoes() {
    var steps =
        RolloutSteps.next("new", "old", Map.of("old", new ShardSet(2, 2), "new", new ShardSet(3, 3)), true);
    assertThat(steps.pointHeadAt()).contains("new");
    assertThat(steps.deletePlans()).containsExactly("old");
  }

  @Test
  void anAbandonedIntermediatePlanIsRemovedWhileTheServingOneStays() {
    var steps =
        RolloutSteps.next(
            "newest",
            "old",
            Map.of("old", new ShardSet(2, 2), "middle", new ShardSet(2, 1), "newest", new ShardSet(2, 0)), true);
    assertThat(steps.pointHeadAt()).isEmpty();
    assertThat(steps.deletePlans()).containsExactly("middle");
  }

  @Test
  void aSteadyStateDoesNothing() {
    var steps = RolloutSteps.next("p", "p", Map.of("p", new ShardSet(2, 2)), true);
    assertThat(steps).isEqualTo(new RolloutSteps(false, Optional.empty(), List.of()));
  }

  @Test
  void noSequenceOfStepsLeavesTheHeadOnAPlanThatWasDeleted() {
    // Walk a rollout shard by shard and check the invariant at every step.
    String serving = "old";
    Map<String, ShardSet> sets = new java.util.HashMap<>(Map.of("old", new ShardSet(2, 2)));
    for (int available = 0; available <= 3; available++) {
      sets.put("new", new ShardSet(3, available));
      var steps = RolloutSteps.next("new", serving, sets, true);
      if (steps.pointHeadAt().isPresent()) serving = steps.pointHeadAt().get();
      steps.deletePlans().forEach(sets::remove);
      assertThat(sets).containsKey(serving);
      assertThat(sets.get(serving).complete()).as("serving plan complete at step " + available).isTrue();
    }
    assertThat(serving).isEqualTo("new");
    assertThat(sets).containsOnlyKeys("new");
  }

  @Test
  void whenANodeCannotHoldBothPlansTheOldGoesFirstAndTheHeadMovesAtOnce() {
    var steps =
        RolloutSteps.next("new", "old", Map.of("old", new ShardSet(2, 2), "new", new ShardSet(3, 0)), false);
    assertThat(steps.breakBeforeMake()).isTrue();
    assertThat(steps.pointHeadAt()).contains("new");
    assertThat(steps.deletePlans()).containsExactly("old");
  }

  @Test
  void aSteadyStateNeverBreaksEvenWhenMemoryIsTight() {
    var steps = RolloutSteps.next("p", "p", Map.of("p", new ShardSet(2, 2)), false);
    assertThat(steps.breakBeforeMake()).isFalse();
    assertThat(steps.deletePlans()).isEmpty();
  }

  @Test
  void objectsOfAPlanNeitherDesiredNorServingAreLeftovers() {
    // a rollout of "cut" was cut short before any of its Deployments existed: only its Services and
    // ConfigMap were written, which no shard set (read from Deployments) shows
    assertThat(RolloutSteps.leftovers(List.of("old", "cut", "new", "cut"), "new", "old")).containsExactly("cut");
    assertThat(RolloutSteps.leftovers(List.of("new"), "new", "new")).isEmpty();
    assertThat(RolloutSteps.leftovers(List.of("old", "new"), "new", null)).containsExactly("old");
  }
}
