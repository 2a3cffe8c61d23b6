package io.dilemma.operator.rollout;

import io.dilemma.operator.observe.ShardSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order of a plan change, decided purely from what exists: start the new plan's shards next
 * to the old ones, point the head Service at the new head only once every new shard is available,
 * and remove the old shards only after that switch. Requests keep reaching a complete chain.
 *
 * <p>That needs room for both plans at once. When some node cannot hold both (typically the
 * origin, which runs both heads), the old plan is removed first and the new one started after:
 * a short outage instead of requests the node cannot grant.
 *
 * @param breakBeforeMake delete first, then write the desired shards; otherwise write them first
 * @param pointHeadAt plan the head Service must select, when it must change
 * @param deletePlans shard sets to remove, after the head switch (if any) is written
 */
public record RolloutSteps(boolean breakBeforeMake, Optional<String> pointHeadAt, List<String> deletePlans) {

  /**
   * @param desiredPlanId the plan the operator wants running (its shards are applied before this)
   * @param servingPlanId the plan the head Service selects now, or null if there is no Service yet
   * @param existing shard sets found in the cluster, by plan id (the desired one included)
   * @param bothFit every node can hold the serving and the desired plan's pods at once
   */
  public static RolloutSteps next(
      String desiredPlanId, String servingPlanId, Map<String, ShardSet> existing, boolean bothFit) {
    if (servingPlanId != null && !servingPlanId.equals(desiredPlanId) && !bothFit) {
      List<String> all =
          existing.keySet().stream().filter(id -> !id.equals(desiredPlanId)).sorted().toList();
      return new RolloutSteps(true, Optional.of(desiredPlanId), all);
    }
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
        false,
        switchNow && !desiredPlanId.equals(servingPlanId) ? Optional.of(desiredPlanId) : Optional.empty(),
        obsolete);
  }

  /**
   * Plans among {@code found} (the plan labels of a deployment's shard objects) that are neither
   * the desired nor the serving plan after this step: leftovers to delete.
   */
  public static List<String> leftovers(java.util.Collection<String> found, String desiredPlanId, String servingPlanId) {
    return found.stream()
        .filter(id -> !id.equals(desiredPlanId) && !id.equals(servingPlanId))
        .distinct()
        .sorted()
        .toList();
  }
}
