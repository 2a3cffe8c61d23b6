package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SmoothedFigureTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final LevelShift SHIFT = new LevelShift(2, 0);
  private static final LevelShift NEVER = new LevelShift(1e9, 0);

  @Test
  void ewmaStartsAtTheFirstSampleAndWeighsTheNewest() {
    SmoothedFigure f = new SmoothedFigure(0.25, 3, SHIFT);
    f.add(100, T0);
    f.add(200, T0.plusSeconds(1));
    Estimate e = f.estimate().orElseThrow();
    assertThat(e.value()).isCloseTo(125, within(1e-9));
    assertThat(e.samples()).isEqualTo(2);
    assertThat(e.observedAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void minAndMaxLookOnlyAtTheWindow() {
    SmoothedFigure f = new SmoothedFigure(0.5, 2, NEVER);
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
    SmoothedFigure f = new SmoothedFigure(0.5, 2, NEVER);
    f.add(Double.NaN, T0);
    f.add(-1, T0);
    assertThat(f.estimate()).isEmpty();
  }

  @Test
  void aTenfoldDropIsPublishedOnTheSecondSampleThatShowsIt() {
    SmoothedFigure f = new SmoothedFigure(0.3, 10, SHIFT);
    for (int i = 0; i < 5; i++) f.add(100, T0);
    assertThat(f.add(10, T0.plusSeconds(1))).isEqualTo(SmoothedFigure.Fold.SUSPECT);
    assertThat(f.estimate().orElseThrow().value()).as("one sample is not yet a new level").isEqualTo(100);
    assertThat(f.add(11, T0.plusSeconds(2))).isEqualTo(SmoothedFigure.Fold.RESTARTED);
    Estimate e = f.estimate().orElseThrow();
    assertThat(e.value()).isCloseTo(10.3, within(1e-9));
    assertThat(e.max()).as("the window restarts with the new level").isEqualTo(11);
    assertThat(e.samples()).isEqualTo(7);
    assertThat(e.observedAt()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void aSingleSpikeNeverMovesTheFigure() {
    SmoothedFigure f = new SmoothedFigure(0.3, 10, SHIFT);
    f.add(100, T0);
    assertThat(f.add(10, T0)).isEqualTo(SmoothedFigure.Fold.SUSPECT);
    assertThat(f.add(100, T0)).isEqualTo(SmoothedFigure.Fold.FOLDED);
    assertThat(f.estimate().orElseThrow().value()).isEqualTo(100);
    // a spike down then one up are two spikes, not a level
    assertThat(f.add(10, T0)).isEqualTo(SmoothedFigure.Fold.SUSPECT);
    assertThat(f.add(1000, T0)).isEqualTo(SmoothedFigure.Fold.SUSPECT);
    assertThat(f.estimate().orElseThrow().value()).isEqualTo(100);
    assertThat(f.estimate().orElseThrow().min()).as("min and max still show the raw samples").isEqualTo(10);
  }

  @Test
  void movesWithinTheBandAreSmoothedAndTinyOnesAreNoShift() {
    SmoothedFigure f = new SmoothedFigure(0.5, 10, SHIFT);
    f.add(100, T0);
    assertThat(f.add(60, T0)).isEqualTo(SmoothedFigure.Fold.FOLDED);
    assertThat(f.estimate().orElseThrow().value()).isEqualTo(80);
    SmoothedFigure rtt = new SmoothedFigure(0.5, 10, new LevelShift(2, 0.0005));
    rtt.add(0.00005, T0);
    assertThat(rtt.add(0.0002, T0)).as("a loopback RTT's jitter").isEqualTo(SmoothedFigure.Fold.FOLDED);
  }
}
