package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SmoothedFigureTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void ewmaStartsAtTheFirstSampleAndWeighsTheNewest() {
    SmoothedFigure f = new SmoothedFigure(0.25, 3);
    f.add(100, T0);
    f.add(200, T0.plusSeconds(1));
    Estimate e = f.estimate().orElseThrow();
    assertThat(e.value()).isCloseTo(125, within(1e-9));
    assertThat(e.samples()).isEqualTo(2);
    assertThat(e.observedAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void minAndMaxLookOnlyAtTheWindow() {
    SmoothedFigure f = new SmoothedFigure(0.5, 2);
    f.add(1, T0);
    f.add(50, T0);
    f.add(10, T0);
    Estimate e = f.estimate().orElseThrow();
    assertThat(e.min()).isEqualTo(10);
    assertThat(e.max()).isEqualTo(50);
    assertThat(e.samples()).isEqualTo(3);
  }

  @Test
  void failedMeasurementsAreNotSamples() {
    SmoothedFigure f = new SmoothedFigure(0.5, 2);
    f.add(Double.NaN, T0);
    f.add(-1, T0);
    assertThat(f.estimate()).isEmpty();
  }
}
