package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeThresholdTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final ChangeThreshold threshold = new ChangeThreshold(0.1, 0.5, Duration.ofMinutes(5));

  @Test
  void smallMovesAreSkippedLargeOnesWritten() {
    assertThat(threshold.shouldWrite(100.0, T0, 105, T0.plusSeconds(10))).isFalse();
    assertThat(threshold.shouldWrite(100.0, T0, 89, T0.plusSeconds(10))).isTrue();
  }

  @Test
  void theAbsoluteFloorHidesNoiseOnTinyValues() {
    assertThat(threshold.moved(0.2, 0.6)).isFalse();
    assertThat(threshold.moved(0.2, 0.8)).isTrue();
  }

  @Test
  void anUnchangedFigureIsRestampedBeforeItGoesStale() {
    assertThat(threshold.shouldWrite(100.0, T0, 100, T0.plus(Duration.ofMinutes(5)))).isTrue();
    assertThat(threshold.shouldWrite(null, null, 100, T0)).isTrue();
  }
}
