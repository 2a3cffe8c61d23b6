package io.dilemma.operator.observe;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.ModelCosts;
import java.util.List;

/** Turns a measured model profile into the costs the planner optimises, for one metric. */
@FunctionalInterface
public interface ProfileReduction {
  ModelCosts reduce(
      ModelProfile profile, QualityMetric metric, List<Integer> allowedBits, List<Double> allowedRho);
}
