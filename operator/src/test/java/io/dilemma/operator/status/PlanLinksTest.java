package io.dilemma.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.Fixtures;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.LinkSource;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanningOutcome;
import io.dilemma.planner.Link;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status's links: per link the plan uses, the figures the operator priced it with, and their source. */
class PlanLinksTest {
  private static final double MBIT = 1e6 / 8;
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

  /** Fixtures.plan puts shard i on node n{i}; with origin n0 it uses n0->n1 and n1->n0. */
  private static final PlanStatus PLAN = Fixtures.plan("p1", 2);

  private static ClusterObservation observed(LinkReading... links) {
    return new ClusterObservation(List.of(), List.of(links), Map.of());
  }

  private static LinkReading reading(String from, String to, double mbit, double oneWaySeconds, boolean stale, LinkSource by) {
    return new LinkReading(new Link(from, to, mbit * MBIT, oneWaySeconds), stale, from + "--" + to, by);
  }

  @Test
  void eachLinkShowsTheFiguresUsedAndWhoMeasuredThem() {
    var links = PlanLinks.of(PLAN, "n0", observed(
        reading("n0", "n1", 49.7234, 0.0051234, false, LinkSource.PROBE),
        reading("n1", "n0", 100, 0.001, false, LinkSource.MANUAL),
        reading("n1", "n2", 1, 1, false, LinkSource.MANUAL)));
    assertThat(links).containsExactly(
        new PlanLinkStatus("n0", "n1", "n0--n1", 49.7, 10.2, "probe"),
        new PlanLinkStatus("n1", "n0", "n1--n0", 100.0, 2.0, "manual"));
  }

  @Test
  void aStaleMeasurementShowsTheDefaultsThatReplacedIt() {
    var links = PlanLinks.of(PLAN, "n0", observed(
        reading("n0", "n1", 1, 0.05, true, LinkSource.PROBE),
        reading("n1", "n0", 20, 0.002, false, LinkSource.PROMETHEUS)));
    assertThat(links).containsExactly(
        new PlanLinkStatus("n0", "n1", "n0--n1", 1.0, 100.0, "stale-default"),
        new PlanLinkStatus("n1", "n0", null, 20.0, 4.0, "prometheus"));
  }

  @Test
  void aLinkTheRunningPlanStillUsesButThatIsGoneHasNoFiguresAndTheDefaultSource() {
    var links = PlanLinks.of(PLAN, "n0", observed(reading("n0", "n1", 10, 0.001, false, LinkSource.PROBE)));
    assertThat(links.get(1)).isEqualTo(new PlanLinkStatus("n1", "n0", null, null, null, "stale-default"));
  }

  @Test
  void aDirectionWithTwoEdgeLinksShowsTheOneThePlannerKeeps() {
    var links = PlanLinks.of(PLAN, "n0", observed(
        new LinkReading(new Link("n0", "n1", 5 * MBIT, 0.001), false, "first", LinkSource.MANUAL),
        new LinkReading(new Link("n0", "n1", 50 * MBIT, 0.001), false, "second", LinkSource.PROBE)));
    assertThat(links.get(0).edgeLink()).isEqualTo("second");
  }

  @Test
  void theStatusCarriesTheLinksAndAnUnchangedWorldLeavesItEqual() {
    var observation = observed(
        reading("n0", "n1", 50, 0.005, false, LinkSource.PROBE), reading("n1", "n0", 50, 0.005, false, LinkSource.MANUAL));
    var empty = new LLMDeploymentStatus(null, null, null, null, null, null);
    var first = aggregate(empty, observation, T0);
    assertThat(first.links()).extracting(PlanLinkStatus::source).containsExactly("probe", "manual");
    assertThat(aggregate(first, observation, T0.plusSeconds(30))).isEqualTo(first);
  }

  @Test
  void withoutAnObservationTheLinksLastSeenStay() {
    var observation = observed(
        reading("n0", "n1", 50, 0.005, false, LinkSource.PROBE), reading("n1", "n0", 50, 0.005, false, LinkSource.MANUAL));
    var first = aggregate(new LLMDeploymentStatus(null, null, null, null, null, null), observation, T0);
    assertThat(aggregate(first, null, T0.plusSeconds(30)).links()).isEqualTo(first.links());
  }

  private static LLMDeploymentStatus aggregate(LLMDeploymentStatus previous, ClusterObservation observation, Instant now) {
    return StatusAggregator.aggregate(new StatusAggregator.Inputs(
        previous, 1, new PlanningOutcome.Planned(PLAN, null, null, null), "p1", Map.of("p1", new ShardSet(2, 2)),
        observation, List.of(), now, null, observation == null ? null : "n0"));
  }
}
