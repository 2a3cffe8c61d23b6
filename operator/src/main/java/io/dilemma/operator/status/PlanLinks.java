package io.dilemma.operator.status;

import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.LinkSource;
import io.dilemma.operator.plan.PlanHops;
import io.dilemma.planner.Link;
import java.util.List;

/**
 * The status's {@code links}: for each link the plan sends over, the figures this reconcile priced
 * it with and where they came from. Pure.
 */
final class PlanLinks {
  private PlanLinks() {}

  static List<PlanLinkStatus> of(PlanStatus plan, String origin, ClusterObservation observed) {
    return PlanHops.of(plan, origin).stream().map(hop -> status(hop, observed.links())).toList();
  }

  private static PlanLinkStatus status(PlanHops.Hop hop, List<LinkReading> readings) {
    // the last reading of a direction is the one the planner's cost model keeps
    LinkReading used = null;
    for (LinkReading r : readings) {
      if (r.link().from().equals(hop.from()) && r.link().to().equals(hop.to())) used = r;
    }
    // a plan kept running after its link went away: nothing is known, and the planner would
    // not choose this hop again
    if (used == null) return PlanLinkStatus.unknown(hop.from(), hop.to(), LinkSource.STALE_DEFAULT.wireName());
    Link link = used.link();
    return PlanLinkStatus.of(
        hop.from(), hop.to(), used.edgeLink(), link.bandwidth(), link.latencySeconds(), used.source().wireName());
  }
}
