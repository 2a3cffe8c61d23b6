package io.dilemma.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTableTest {
  @Test
  void bitRunsAreRunLengthEncoded() {
    assertThat(PlanTable.bitRuns(List.of(16, 16, 4, 8, 8, 8))).isEqualTo("16×2 4 8×3");
    assertThat(PlanTable.bitRuns(List.of(4))).isEqualTo("4");
  }

  @Test
  void unitsAreHuman() {
    assertThat(Bytes.human(3L << 30)).isEqualTo("3.00 GiB");
    assertThat(Seconds.human(0.0123)).isEqualTo("12.3 ms");
    assertThat(Seconds.human(2.5e-6)).isEqualTo("2.50 µs");
  }
}
