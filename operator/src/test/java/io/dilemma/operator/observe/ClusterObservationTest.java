package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.operator.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterObservationTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GIB = 1L << 30;

  private ClusterObservation observe(Map<String, Long> heldByOthers) {
    return ClusterObserver.observe(
        Fixtures.spec("a", 0.5).placement(),
        List.of(Fixtures.node("a", 10, 4, 4 * GIB, true), Fixtures.node("b", 20, 8, 8 * GIB, false)),
        List.of(),
        heldByOthers,
        LinkReading.Freshness.defaults(),
        NOW);
  }

  @Test
  void freeMemoryIsAllocatableMinusWhatOtherDeploymentsHold() {
    var observed = observe(Map.of("a", GIB, "b", 9 * GIB));
    assertThat(observed.freeBytes("a")).isEqualTo(3 * GIB);
    assertThat(observed.freeBytes("b")).as("held beyond allocatable leaves nothing").isZero();
    assertThat(observed.freeBytes("unknown")).isZero();
    assertThat(observed.freeBytesByNode()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3 * GIB, "b", 0L));
  }
}
