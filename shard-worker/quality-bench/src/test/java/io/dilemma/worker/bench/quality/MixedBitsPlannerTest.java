package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.worker.bench.quality.HeldOutEvaluator.Score;
import io.dilemma.worker.model.core.ModelDimensions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixedBitsPlannerTest {
  private static final ModelDimensions DIMS = new ModelDimensions(4, 64, 64, 4, 256, 512, 64, true);

  /** Layer 2 is ten times as sensitive as the others at every width. */
  private static List<LayerTrial> trials() {
    List<LayerTrial> trials = new ArrayList<>();
    for (int layer = 0; layer < DIMS.layers(); layer++) {
      for (int bits : new int[] {2, 3, 4, 8}) {
        double cost = Math.pow(2, -bits) * (layer == 2 ? 10 : 1);
        trials.add(new LayerTrial(layer, bits, cost, new Score(10 + cost, cost, cost, 1 - cost)));
      }
    }
    return trials;
  }

  @Test
  void spendsTheBitsOnTheSensitiveLayerWithinTheRatio() {
    MixedBitsPlanner planner = new MixedBitsPlanner(new CpSatPlanner(1));
    for (QualityMetric metric : QualityMetric.values()) {
      int[] bits = planner.choose(SensitivityProfile.of("test", DIMS, trials()), metric, 0.25);
      assertThat(SensitivityProfile.ratio(bits)).as(metric.name()).isLessThanOrEqualTo(0.25);
      assertThat(bits[2]).as(metric.name()).isGreaterThan(bits[0]);
    }
  }

  @Test
  void aRatioBelowTwoBitsEverywhereHasNoPlan() {
    MixedBitsPlanner planner = new MixedBitsPlanner(new CpSatPlanner(1));
    assertThat(planner.choose(SensitivityProfile.of("test", DIMS, trials()), QualityMetric.KL_DIVERGENCE, 0.1)).isNull();
  }

  @Test
  void uniformRatioIsBitsOverSixteen() {
    assertThat(SensitivityProfile.ratio(new int[] {4, 4, 4})).isEqualTo(0.25);
    assertThat(SensitivityProfile.ratio(new int[] {2, 8})).isEqualTo(0.3125);
  }
}
