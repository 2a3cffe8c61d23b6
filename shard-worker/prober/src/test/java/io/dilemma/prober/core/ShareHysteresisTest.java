package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ShareHysteresisTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private ShareHysteresis fresh() {
    ShareHysteresis h = new ShareHysteresis(0.15, Duration.ofMinutes(2), 0.05);
    assertThat(h.offer(0.98, T0).getAsDouble()).isCloseTo(1.0, within(1e-9));
    return h;
  }

  @Test
  void aShortSpikeIsNeverPublished() {
    ShareHysteresis h = fresh();
    assertThat(h.offer(0.3, T0.plusSeconds(10))).isEmpty();
    assertThat(h.offer(0.3, T0.plusSeconds(100))).isEmpty();
    assertThat(h.offer(0.95, T0.plusSeconds(110))).isEmpty();
    assertThat(h.offer(0.3, T0.plusSeconds(200))).isEmpty();
    assertThat(h.published().getAsDouble()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aLoadThatStaysIsPublishedAfterTheHoldAndSoIsItsEnd() {
    ShareHysteresis h = fresh();
    assertThat(h.offer(0.48, T0.plusSeconds(10))).isEmpty();
    assertThat(h.offer(0.52, T0.plusSeconds(130)).getAsDouble()).isCloseTo(0.5, within(1e-9));
    assertThat(h.offer(0.6, T0.plusSeconds(140))).isEmpty();
    assertThat(h.offer(1.0, T0.plusSeconds(150))).isEmpty();
    assertThat(h.offer(1.0, T0.plusSeconds(270)).getAsDouble()).isCloseTo(1.0, within(1e-9));
  }
}
