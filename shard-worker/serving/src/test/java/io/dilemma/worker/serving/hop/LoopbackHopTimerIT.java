package io.dilemma.worker.serving.hop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hop timer against its real second process: it answers with a round trip's time and leaves
 * no process behind. How long a round trip takes is the profile's business, not this test's.
 */
class LoopbackHopTimerIT {
  @Test
  void timesRoundTripsToASecondProcessAndStopsIt() throws Exception {
    List<ProcessHandle> before = ProcessHandle.current().children().toList();
    double seconds = new LoopbackHopTimer().roundTripSeconds(768, 20);
    assertThat(seconds).isPositive().isFinite();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isSubsetOf(before);
  }

  @Test
  void noStepsIsAnErrorNamingTheOption() {
    assertThatThrownBy(() -> new LoopbackHopTimer().roundTripSeconds(768, 0))
        .hasMessage("--timing-hop-steps: must be at least 1, got 0");
  }
}
