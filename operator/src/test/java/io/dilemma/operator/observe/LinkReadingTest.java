package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

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
  void withoutAStatusTheCreationTimeIsTheMeasurement() {
    var link = Fixtures.link("a", "b", 100, 2, NOW);
    link.setStatus(null);
    link.getMetadata().setCreationTimestamp(NOW.minusSeconds(30).toString());
    assertThat(LinkReading.of(link, FRESHNESS, NOW).stale()).isFalse();
    assertThat(LinkReading.expiresAt(link, FRESHNESS)).isEqualTo(NOW.minusSeconds(30).plus(Duration.ofMinutes(10)));
  }
}
