package io.dilemma.worker.model.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.ModelProfile.BitCost;
import io.dilemma.contract.QualityMetric;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelProfilerTest {
  static ModelProfile profile;
  static int steps;
  static int announced;

  @BeforeAll
  static void profileOptTiny() {
    OptWeights weights = new WeightSynthesizer(8).synthesize(OptPreset.OPT_TINY.dimensions());
    AtomicInteger done = new AtomicInteger();
    ProfileProgress progress =
        new ProfileProgress() {
          @Override
          public void start(int total) {
            announced = total;
          }

          @Override
          public void step() {
            done.incrementAndGet();
          }
        };
    profile =
        new ModelProfiler("opt-tiny", weights, new ModelProfiler.Options(List.of(2, 4, 8, 16), List.of(0.0, 0.5, 1.0), 96, 3, null, 3))
            .profile(progress);
    steps = done.get();
  }

  @Test
  void everyLayerHasCountsAndOneMeasuredCostPerWidth() {
    assertThat(profile.layers()).hasSize(4);
    ModelProfile.LayerProfile layer = profile.layers().get(0);
    assertThat(layer.parameters()).isEqualTo(OptPreset.OPT_TINY.dimensions().layerParameters());
    assertThat(layer.kvBytesPerToken()).isEqualTo(2 * 64 * 4);
    assertThat(layer.decodeFlopsPerToken()).isGreaterThan(2.0 * (4 * 64 * 64 + 2 * 64 * 256));
    assertThat(layer.bits()).extracting(BitCost::bits).containsExactly(2, 4, 8, 16);
    assertThat(layer.bits()).allSatisfy(c -> assertThat(c.quality().klDivergence()).isNotNull().isGreaterThanOrEqualTo(0));
  }

  @Test
  void fewerBitsCostLessMemoryAndMoreQuality() {
    for (ModelProfile.LayerProfile layer : profile.layers()) {
      List<BitCost> costs = layer.bits();
      for (int i = 1; i < costs.size(); i++) {
        assertThat(costs.get(i).weightBytes()).isGreaterThan(costs.get(i - 1).weightBytes());
        assertThat(costs.get(i).quality().normalizedError()).isLessThan(costs.get(i - 1).quality().normalizedError());
      }
      assertThat(costs.get(0).quality().klDivergence()).isGreaterThan(costs.get(2).quality().klDivergence());
    }
  }

  @Test
  void cutsLoseLessWithMoreTokensAtEightBitsAndNothingAtRhoOneBeyondEightBitRounding() {
    assertThat(profile.cuts()).hasSize(3);
    for (ModelProfile.CutProfile cut : profile.cuts()) {
      double allFour = cut.rho().get(0).quality().value(QualityMetric.NORMALIZED_ERROR);
      double allEight = cut.rho().get(2).quality().value(QualityMetric.NORMALIZED_ERROR);
      assertThat(allEight).isLessThan(allFour);
      assertThat(cut.rho().get(2).quality().klDivergence()).isLessThan(cut.rho().get(0).quality().klDivergence());
    }
  }

  @Test
  void additivityIsCheckedAndTheProfileSurvivesTheContractJson() throws Exception {
    assertThat(profile.additivity()).isNotNull();
    assertThat(profile.additivity().samples()).isEqualTo(3);
    assertThat(profile.additivity().meanRelativeError()).isBetween(0.0, profile.additivity().maxRelativeError());
    ModelProfile read = ContractJson.read(ContractJson.write(profile), ModelProfile.class);
    assertThat(read.layers().get(3).bits().get(1).quality()).isEqualTo(profile.layers().get(3).bits().get(1).quality());
    assertThat(steps).isEqualTo(announced);
  }
}
