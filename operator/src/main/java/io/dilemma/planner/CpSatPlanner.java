package io.dilemma.planner;

import io.dilemma.planner.ilp.CpSatBackend;

/** The production planner: the placement ILP solved by CP-SAT. */
public final class CpSatPlanner extends IlpPlanner {
  /**
   * Search workers. On the 2-core target, 8 workers time-slice but bring CP-SAT's portfolio of
   * strategies (LP, core-based, LNS); see PLANNER.md for the measurement behind this value.
   */
  public static final int DEFAULT_WORKERS = 8;

  public CpSatPlanner() {
    this(DEFAULT_WORKERS);
  }

  public CpSatPlanner(int workers) {
    super(new CpSatBackend(workers));
  }
}
