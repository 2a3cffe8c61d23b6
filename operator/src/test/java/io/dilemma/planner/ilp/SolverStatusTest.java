package io.dilemma.planner.ilp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.sat.CpSolverStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SolverStatusTest {
  /** The MIP status enum reads its values from the native library. */
  @BeforeAll
  static void loadOrTools() {
    Loader.loadNativeLibraries();
  }

  @Test
  void cpSatStatusesMapOntoTheSharedOnes() {
    assertThat(SolverStatus.of(CpSolverStatus.OPTIMAL)).isEqualTo(SolverStatus.OPTIMAL);
    assertThat(SolverStatus.of(CpSolverStatus.FEASIBLE)).isEqualTo(SolverStatus.FEASIBLE);
    assertThat(SolverStatus.of(CpSolverStatus.INFEASIBLE)).isEqualTo(SolverStatus.INFEASIBLE);
    assertThat(SolverStatus.of(CpSolverStatus.MODEL_INVALID)).isEqualTo(SolverStatus.MODEL_INVALID);
    assertThat(SolverStatus.of(CpSolverStatus.UNKNOWN)).isEqualTo(SolverStatus.UNKNOWN);
  }

  @Test
  void mipStatusesMapOntoTheSharedOnesAndTheRestIsUnknown() {
    assertThat(SolverStatus.of(MPSolver.ResultStatus.OPTIMAL)).isEqualTo(SolverStatus.OPTIMAL);
    assertThat(SolverStatus.of(MPSolver.ResultStatus.FEASIBLE)).isEqualTo(SolverStatus.FEASIBLE);
    assertThat(SolverStatus.of(MPSolver.ResultStatus.INFEASIBLE)).isEqualTo(SolverStatus.INFEASIBLE);
    assertThat(SolverStatus.of(MPSolver.ResultStatus.MODEL_INVALID)).isEqualTo(SolverStatus.MODEL_INVALID);
    for (var other : new MPSolver.ResultStatus[] {
        MPSolver.ResultStatus.NOT_SOLVED, MPSolver.ResultStatus.ABNORMAL, MPSolver.ResultStatus.UNBOUNDED}) {
      assertThat(SolverStatus.of(other)).as(other.name()).isEqualTo(SolverStatus.UNKNOWN);
    }
  }

  @Test
  void onlyOptimalAndFeasibleCarryASolution() {
    for (SolverStatus s : SolverStatus.values()) {
      assertThat(s.hasSolution()).as(s.name()).isEqualTo(s == SolverStatus.OPTIMAL || s == SolverStatus.FEASIBLE);
    }
  }
}
