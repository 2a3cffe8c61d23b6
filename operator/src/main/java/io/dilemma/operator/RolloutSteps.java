package io.dilemma.operator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order of a plan change, decided purely from what exists: start the new plan's shards next
 * to the old ones, point the head Service at the new head only once every new shard is available,
 * and remove the old shards only after that switch. Requests keep reaching a complete chain.
 *
 * @param pointHeadAt plan the head Service must select, when it must change
 * @param deletePlans shard sets to remove, after the head switch (if any) is written
 */
public record RolloutSteps(Optional<String> pointHeadAt, List<String> deletePlans) {

  /** One plan's shards as they exist in the cluster. */
  public record ShardSet(int expected, int available) {
    public boolean complete() {
      return expected > 0 && available >= expected;
    }
  }

  /**
   * @param desiredPlanId the plan the operator wants running (its shards are applied before this)
   * @param servingPlanId the plan the head Service selects now, or null if there is no Service yet
   * @param existing shard sets found in the cluster, by plan id (the desired one included)
   */
  public static RolloutSteps next(
      String desiredPlanId, String servingPlanId, Map<String, ShardSet> existing) {
    ShardSet desired = existing.getOrDefault(desiredPlanId, new ShardSet(0, 0));
    boolean switchNow =
        servingPlanId == null || (!desiredPlanId.equals(servingPlanId) && desired.complete());
    String servingAfter = switchNow ? desiredPlanId : servingPlanId;
    List<String> obsolete =
        existing.keySet().stream()
            .filter(id -> !id.equals(desiredPlanId) && !id.equals(servingAfter))
            .sorted()
            .toList();
    return new RolloutSteps(
        switchNow && !desiredPlanId.equals(servingPlanId) ? Optional.of(desiredPlanId) : Optional.empty(),
        obsolete);
  }
}
