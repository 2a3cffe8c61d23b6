package io.dilemma.planner.ilp;

/** A MIP solver that can solve a {@link LinearModel}. */
public interface IlpBackend {
  String name();

  SolveResult solve(SolveRequest request);
}
