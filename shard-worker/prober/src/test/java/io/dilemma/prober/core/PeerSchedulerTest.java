package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerSchedulerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void onePeerAtATimeRoundRobinAndRateLimited() {
    PeerScheduler s = new PeerScheduler(Duration.ofSeconds(10));
    List<String> peers = List.of("n3", "n1", "n2");
    assertThat(s.next(peers, T0)).contains("n1");
    assertThat(s.next(peers, T0.plusSeconds(9))).isEmpty();
    assertThat(s.next(peers, T0.plusSeconds(10))).contains("n2");
    assertThat(s.next(peers, T0.plusSeconds(20))).contains("n3");
    assertThat(s.next(peers, T0.plusSeconds(30))).contains("n1");
  }

  @Test
  void aPeerThatLeftIsSkippedAndNobodyMeansNothing() {
    PeerScheduler s = new PeerScheduler(Duration.ZERO);
    assertThat(s.next(List.of("a", "b", "c"), T0)).contains("a");
    assertThat(s.next(List.of("a", "c"), T0)).contains("c");
    assertThat(s.next(List.of(), T0)).isEmpty();
  }

  @Test
  void aPeerToConfirmComesNextWithinTheRateLimitThenTheRoundGoesOn() {
    PeerScheduler s = new PeerScheduler(Duration.ofSeconds(10));
    List<String> peers = List.of("n1", "n2", "n3");
    assertThat(s.next(peers, T0)).contains("n1");
    s.again("n1");
    assertThat(s.next(peers, T0.plusSeconds(5))).isEmpty();
    assertThat(s.next(peers, T0.plusSeconds(10))).contains("n1");
    assertThat(s.next(peers, T0.plusSeconds(20))).contains("n2");
    s.again("gone");
    assertThat(s.next(peers, T0.plusSeconds(30))).contains("n3");
  }
}
