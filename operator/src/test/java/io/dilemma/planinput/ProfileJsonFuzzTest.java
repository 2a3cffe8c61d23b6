package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.PlanningOptions;

/**
 * A profile reaches the operator in a ConfigMap anyone with write access to it may edit, and the
 * CLI from a file: whatever its bytes, parsing it and reducing it to the planner's costs (what
 * both do) either gives finite, non-negative costs or an {@link InvalidInputException} with a
 * one-line message naming the field; never another exception, which in the operator would be a
 * failed reconcile instead of an {@code InvalidSpec}. A normal build replays the seeds in
 * src/test/resources/.../ProfileJsonFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ProfileJsonFuzzTest {
  private static final PlanningOptions OPTIONS = PlanningOptions.defaults();

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"\"schemaVersion\"", "\"architecture\"", "\"embedding\"", "\"head\"", "\"layers\"", "\"cuts\"",
      "\"bits\"", "\"rho\"", "\"quality\"", "\"normalizedError\"", "\"klDivergence\"", "\"deltaPerplexity\"",
      "\"index\"", "\"parameters\"", "\"bytes\"", "\"weightBytes\"", "\"afterLayer\"", "\"hiddenSize\"",
      "\"decodeFlopsPerToken\"", "\"prefillFlopsPerToken\"", "\"kvBytesPerToken\"", "1e400", "null", "-1"})
  void parsesOrRefusesAnyProfile(byte[] input) {
    for (QualityMetric metric : QualityMetric.values()) {
      ModelCosts costs;
      try {
        ModelProfile profile = ProfileJson.parse(input);
        costs = ModelCostsFromProfile.toModelCosts(profile, metric, OPTIONS.allowedBits(), OPTIONS.allowedRho());
      } catch (InvalidInputException refused) {
        assertThat(refused.getMessage()).isNotBlank().doesNotContain("\n", "\r");
        continue;
      }
      assertThat(costs.embeddingBytes()).isNotNegative();
      assertThat(costs.headBytes()).isNotNegative();
      assertThat(costs.headDecodeFlops()).isNotNegative().isFinite();
      for (ModelCosts.LayerCost layer : costs.layers()) {
        assertThat(layer.decodeFlops()).isPositive().isFinite();
        assertThat(layer.prefillFlops()).isPositive().isFinite();
        assertThat(layer.bits()).isNotEmpty().allSatisfy(b -> {
          assertThat(b.weightBytes()).isPositive();
          assertThat(b.quality()).isNotNegative().isFinite();
        });
      }
      for (ModelCosts.CutCost cut : costs.cuts()) {
        assertThat(cut.options()).allSatisfy(o -> assertThat(o.quality()).isNotNegative().isFinite());
      }
    }
  }
}
