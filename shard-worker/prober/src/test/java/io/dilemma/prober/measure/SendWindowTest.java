package io.dilemma.prober.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendWindowTest {
  private static final long MS = 1_000_000;

  @Test
  void beforeAnyAcknowledgementTheWindowIsTheInitialOne() {
    assertThat(new SendWindow(200 * MS, 2 * MS, 0).bytes()).isEqualTo(SendWindow.INITIAL_BYTES);
  }

  @Test
  void theWindowIsWhatTheAcknowledgedRateDrainsInTheBudget() {
    SendWindow window = new SendWindow(200 * MS, 2 * MS, 0);
    window.acknowledged(1_250_000, 1000 * MS); // 10 Mbit/s
    assertThat(window.bytes()).isEqualTo(250_000);
  }

  @Test
  void aSlowLinkNeverGetsLessThanTheInitialWindow() {
    SendWindow window = new SendWindow(200 * MS, 2 * MS, 0);
    window.acknowledged(10_000, 1000 * MS);
    assertThat(window.bytes()).isEqualTo(SendWindow.INITIAL_BYTES);
  }

  @Test
  void onALongLinkTheWindowCoversTwoRoundTripsSoItCanGrow() {
    SendWindow window = new SendWindow(200 * MS, 300 * MS, 0);
    assertThat(window.drainNanos()).isEqualTo(600 * MS);
    window.acknowledged(SendWindow.INITIAL_BYTES, 300 * MS); // one window per round trip
    assertThat(window.bytes()).isEqualTo(2 * SendWindow.INITIAL_BYTES);
  }

  @Test
  void anOlderSmallerCountDoesNotShrinkWhatWasAcknowledged() {
    SendWindow window = new SendWindow(200 * MS, 2 * MS, 0);
    window.acknowledged(500_000, 100 * MS);
    window.acknowledged(400_000, 200 * MS);
    assertThat(window.acked()).isEqualTo(500_000);
  }
}
