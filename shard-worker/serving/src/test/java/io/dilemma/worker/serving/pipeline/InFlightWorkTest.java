package io.dilemma.worker.serving.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightWorkTest {

  @Test
  void stepsAreAdmittedUntilTheByteBudgetAndReleasedWhenAnswered() {
    InFlightWork work = new InFlightWork(1000, 100);
    assertThat(work.tryReserve(600)).isTrue();
    assertThat(work.tryReserve(500)).isFalse();
    assertThat(work.tryReserve(400)).isTrue();
    assertThat(work.bytes()).isEqualTo(1000);
    work.release(600);
    assertThat(work.tryReserve(500)).isTrue();
    assertThat(work.steps()).isEqualTo(2);
  }

  @Test
  void theCountBoundHoldsEvenForTinySteps() {
    InFlightWork work = new InFlightWork(1L << 30, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(work.tryReserve(1)).isTrue();
    }
    assertThat(work.tryReserve(1)).isFalse();
    work.release(1);
    assertThat(work.tryReserve(1)).isTrue();
  }

  @Test
  void aStepLargerThanTheWholeBudgetIsRefusedOutright() {
    InFlightWork work = new InFlightWork(1000, 10);
    assertThat(work.tryReserve(1001)).isFalse();
    assertThat(work.tryReserve(-1)).isFalse();
    assertThat(work.steps()).isZero();
  }
}
