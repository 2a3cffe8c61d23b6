package io.dilemma.operator.status;

import io.dilemma.api.PlanStatus;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.planner.Link;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices when a link the running (or newly planned) plan sends activations over gets much worse: its bandwidth at
 * most half of what it was, or its measurement stale. Remembers the last figures per deployment.
 */
public final class LinkWatch {
  static final double DEGRADED_FRACTION = 0.5;

  private final Map<String, Map<String, LinkReading>> lastSeen = new ConcurrentHashMap<>();

  /**
   * @param running the plan that was running when these figures were observed, or null
   * @param planned the plan this reconcile settled on; when the slow link made the operator
   *     replan, it no longer uses that hop, and the hop that slowed is in {@code running}
   */
  public List<String> degraded(String deployment, PlanStatus running, PlanStatus planned, ClusterObservation observed) {
    Map<String, LinkReading> now = new java.util.HashMap<>();
    for (LinkReading reading : observed.links()) {
      now.put(reading.link().from() + "->" + reading.link().to(), reading);
    }
    Map<String, LinkReading> before = lastSeen.put(deployment, now);
    List<String> messages = new ArrayList<>();
    if (before == null) return messages;
    java.util.Set<String> inUse = new java.util.LinkedHashSet<>();
    if (running != null) inUse.addAll(hops(running));
    if (planned != null) inUse.addAll(hops(planned));
    for (String hop : inUse) {
      LinkReading was = before.get(hop);
      LinkReading is = now.get(hop);
      if (was == null || is == null) continue;
      Link w = was.link();
      Link i = is.link();
      if (is.stale() && !was.stale()) {
        messages.add("EdgeLink " + is.name() + " (" + hop + ") is stale; planning with conservative figures.");
      } else if (i.bandwidth() <= w.bandwidth() * DEGRADED_FRACTION) {
        messages.add(
            String.format(
                java.util.Locale.ROOT,
                "EdgeLink %s (%s) fell from %.1f to %.1f Mbit/s.",
                is.name(), hop, w.bandwidth() * 8 / 1e6, i.bandwidth() * 8 / 1e6));
      }
    }
    return messages;
  }

  public void forget(String deployment) {
    lastSeen.remove(deployment);
  }

  /** The hops activations take: shard to shard, and the last shard back to the head. */
  private static List<String> hops(PlanStatus plan) {
    List<String> hops = new ArrayList<>();
    var shards = plan.shards();
    for (int s = 0; s + 1 < shards.size(); s++) {
      hops.add(shards.get(s).node() + "->" + shards.get(s + 1).node());
    }
    if (shards.size() > 1) {
      hops.add(shards.get(shards.size() - 1).node() + "->" + shards.get(0).node());
    }
    return hops;
  }
}
