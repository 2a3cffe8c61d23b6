package io.dilemma.planner.ilp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpSatParametersTest {
  /**
   * The 70B family (≈9,600 variables) runs on one worker: its proof closes at the root, and a
   * second worker only shared the two cores with the first. The stress family (≈25,000) keeps two.
   */
  @Test
  void oneWorkerUpToThe70bFamilyTwoAbove() {
    assertThat(CpSatBackend.workersFor(0, 2_191)).isEqualTo(1);
    assertThat(CpSatBackend.workersFor(0, 9_580)).isEqualTo(1);
    assertThat(CpSatBackend.workersFor(0, 25_165)).isEqualTo(2);
  }

  @Test
  void anExplicitWorkerCountWins() {
    assertThat(CpSatBackend.workersFor(3, 9_580)).isEqualTo(3);
    assertThat(CpSatBackend.workersFor(1, 25_165)).isEqualTo(1);
  }

  /**
   * One presolve pass from 5,000 variables (the 70B family: the repeated passes were most of its
   * solve); smaller models keep CP-SAT's default, which one pass slowed.
   */
  @Test
  void onePresolvePassForLargeModelsOnly() {
    assertThat(CpSatBackend.presolvePassesFor(2_191)).isZero();
    assertThat(CpSatBackend.presolvePassesFor(9_580)).isEqualTo(1);
    assertThat(CpSatBackend.presolvePassesFor(25_165)).isEqualTo(1);
  }
}
