package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServingBackoffTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void idleShardsNeverHoldProbingBack() {
    ServingBackoff b = new ServingBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
    assertThat(b.mayProbe(false, T0)).isTrue();
    assertThat(b.mayProbe(false, T0.plusMillis(1))).isTrue();
  }

  @Test
  void servingHoldsBackAndResumesWhenIdle() {
    ServingBackoff b = new ServingBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
    assertThat(b.mayProbe(true, T0)).isFalse();
    assertThat(b.mayProbe(true, T0.plusSeconds(30))).isFalse();
    assertThat(b.mayProbe(false, T0.plusSeconds(31))).isTrue();
  }

  @Test
  void servingAllDayStillGetsOneProbePerMaximumBackoff() {
    ServingBackoff b = new ServingBackoff(Duration.ofSeconds(5), Duration.ofMinutes(1));
    int probes = 0;
    for (int s = 0; s <= 180; s++) if (b.mayProbe(true, T0.plusSeconds(s))) probes++;
    assertThat(probes).isEqualTo(3);
  }
}
