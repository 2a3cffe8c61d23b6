package io.dilemma.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.PlanStatus;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.LinkSource;
import io.dilemma.planner.Link;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkWatchTest {
  private static final double MBIT = 1e6 / 8;

  /** A chain over {@code nodes}, one layer each. */
  private static PlanStatus chain(String id, String... nodes) {
    List<PlanStatus.ShardStatus> shards = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      shards.add(new PlanStatus.ShardStatus(i, nodes[i], i, i, List.of(8), i + 1 < nodes.length ? 0.25 : null, 1, 0, 0.01));
    }
    return new PlanStatus(id, 1L, nodes.length, shards, null, new PlanStatus.PredictedTime(1, 0, 0, 0, 1, 0, 0), 0.1, 0.5, 50.0, Map.of(), null);
  }

  private static ClusterObservation links(double abMbit) {
    return new ClusterObservation(
        List.of(),
        List.of(
            new LinkReading(new Link("a", "b", abMbit * MBIT, 0.001), false, "a-b", LinkSource.MANUAL),
            new LinkReading(new Link("b", "a", 100 * MBIT, 0.001), false, "b-a", LinkSource.MANUAL),
            new LinkReading(new Link("a", "c", 100 * MBIT, 0.001), false, "a-c", LinkSource.MANUAL),
            new LinkReading(new Link("c", "a", 100 * MBIT, 0.001), false, "c-a", LinkSource.MANUAL)),
        Map.of());
  }

  @Test
  void aHopInUseThatSlowsTenfoldIsReportedEvenWhenTheReplanNoLongerUsesIt() {
    LinkWatch watch = new LinkWatch();
    PlanStatus overB = chain("p1", "a", "b");
    PlanStatus overC = chain("p2", "a", "c");
    assertThat(watch.degraded("ns/d", overB, overB, links(100))).isEmpty();

    List<String> messages = watch.degraded("ns/d", overB, overC, links(10));

    assertThat(messages).containsExactly("EdgeLink a-b (a->b) fell from 100.0 to 10.0 Mbit/s.");
  }

  @Test
  void aSlowLinkNoPlanUsesIsNotReported() {
    LinkWatch watch = new LinkWatch();
    PlanStatus overC = chain("p2", "a", "c");
    watch.degraded("ns/d", overC, overC, links(100));
    assertThat(watch.degraded("ns/d", overC, overC, links(10))).isEmpty();
  }

  @Test
  void aLinkThatSlowsByLessThanHalfIsNotReported() {
    LinkWatch watch = new LinkWatch();
    PlanStatus overB = chain("p1", "a", "b");
    watch.degraded("ns/d", overB, overB, links(100));
    assertThat(watch.degraded("ns/d", overB, overB, links(60))).isEmpty();
  }
}
