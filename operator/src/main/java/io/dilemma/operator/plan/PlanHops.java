package io.dilemma.operator.plan;

import io.dilemma.api.PlanStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The directed links a plan sends over, as the planner's evaluator prices them: the origin's
 * embedding to the first shard, each cut to the next shard on another node, and the last shard's
 * token back to the origin. Each link once, in the order the plan first uses it. Pure.
 */
public final class PlanHops {
  private PlanHops() {}

  /** One direction between two nodes. */
  public record Hop(String from, String to) {}

  public static List<Hop> of(PlanStatus plan, String origin) {
    Set<Hop> hops = new LinkedHashSet<>();
    String previous = origin;
    for (PlanStatus.ShardStatus shard : plan.shards()) {
      if (!shard.node().equals(previous)) hops.add(new Hop(previous, shard.node()));
      previous = shard.node();
    }
    if (!previous.equals(origin)) hops.add(new Hop(previous, origin));
    return new ArrayList<>(hops);
  }
}
