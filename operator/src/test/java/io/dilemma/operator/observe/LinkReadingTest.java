package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.operator.Fixtures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LinkReadingTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final LinkReading.Freshness FRESHNESS =
      new LinkReading.Freshness(Duration.ofMinutes(10), 1e6 / 8, 0.05);

  @Test
  void aFreshLinkIsTakenAsMeasured() {
    var reading = LinkReading.of(Fixtures.link("a", "b", 800, 4, NOW.minusSeconds(60)), FRESHNESS, NOW);
    assertThat(reading.stale()).isFalse();
    assertThat(reading.link().bandwidth()).isEqualTo(100e6);
    assertThat(reading.link().latencySeconds()).isEqualTo(0.002);
  }

  @Test
  void aStaleLinkGetsTheConservativeFiguresButNeverBetterOnes() {
    var fast = LinkReading.of(Fixtures.link("a", "b", 800, 4, NOW.minusSeconds(601)), FRESHNESS, NOW);
    assertThat(fast.stale()).isTrue();
    assertThat(fast.link().bandwidth()).isEqualTo(1e6 / 8);
    assertThat(fast.link().latencySeconds()).isEqualTo(0.05);
    var slow = LinkReading.of(Fixtures.link("a", "b", 0.5, 400, NOW.minusSeconds(601)), FRESHNESS, NOW);
    assertThat(slow.link().bandwidth()).isEqualTo(0.5e6 / 8);
    assertThat(slow.link().latencySeconds()).isEqualTo(0.2);
  }

  @Test
  void aFreshProbeFigureIsFromTheProbeAndAStaleOneFromTheDefaults() {
    var link = Fixtures.link("a", "b", 800, 4, NOW.minusSeconds(60));
    link.setStatus(new EdgeLinkStatus(NOW.minusSeconds(60).toString(), EdgeLinkStatus.SOURCE_PROBE, 1L));
    assertThat(LinkReading.of(link, FRESHNESS, NOW).source()).isEqualTo(LinkSource.PROBE);
    assertThat(LinkReading.of(link, FRESHNESS, NOW).edgeLink()).isEqualTo("a-b");
    assertThat(LinkReading.of(link, FRESHNESS, NOW.plusSeconds(600)).source()).isEqualTo(LinkSource.STALE_DEFAULT);
  }

  @Test
  void aHandWrittenLinkIsManualAndAPrometheusOneNamesNoEdgeLink() {
    assertThat(LinkReading.of(Fixtures.link("a", "b", 800, 4, NOW), FRESHNESS, NOW).source()).isEqualTo(LinkSource.MANUAL);
    var scraped = Fixtures.link("a", "b", 800, 4, NOW);
    scraped.setStatus(new EdgeLinkStatus(NOW.toString(), EdgeLinkStatus.SOURCE_PROMETHEUS, null));
    var reading = LinkReading.of(scraped, FRESHNESS, NOW);
    assertThat(reading.source()).isEqualTo(LinkSource.PROMETHEUS);
    assertThat(reading.edgeLink()).isNull();
  }

  @Test
  void withoutAStatusTheCreationTimeIsTheMeasurement() {
    var link = Fixtures.link("a", "b", 100, 2, NOW);
    link.setStatus(null);
    link.getMetadata().setCreationTimestamp(NOW.minusSeconds(30).toString());
    assertThat(LinkReading.of(link, FRESHNESS, NOW).stale()).isFalse();
    assertThat(LinkReading.expiresAt(link, FRESHNESS)).isEqualTo(NOW.minusSeconds(30).plus(Duration.ofMinutes(10)));
  }
}
