package io.dilemma.planner;

import io.dilemma.planner.ilp.CpSatBackend;

/**
 * The production planner: the exact {@link ChainSearch} first, and where its label limit ends it
 * before a proof, the placement ILP solved by CP-SAT from the search's best plan.
 */
public final class CpSatPlanner extends IlpPlanner {
  /** Search workers chosen by model size (see {@link CpSatBackend#CpSatBackend(int)}). */
  public static final int DEFAULT_WORKERS = 0;

  public CpSatPlanner() {
    this(DEFAULT_WORKERS);
  }

  /** @param workers CP-SAT search workers; 0 chooses by model size */
  public CpSatPlanner(int workers) {
    super(new CpSatBackend(workers), true);
  }
}
