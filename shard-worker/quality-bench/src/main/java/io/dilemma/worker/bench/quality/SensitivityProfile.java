package io.dilemma.worker.bench.quality;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.ModelProfile.BitCost;
import io.dilemma.contract.ModelProfile.LayerProfile;
import io.dilemma.contract.ModelProfile.QualityCost;
import io.dilemma.worker.model.profile.LayerCosts;
import io.dilemma.worker.model.profile.ModelProfiler;
import io.dilemma.worker.model.core.ModelDimensions;
import java.util.ArrayList;
import java.util.List;

/**
 * The held-out single-layer trials as a {@link ModelProfile} for the planner. Layer bytes are the
 * plain weight bits (matrix parameters × b / 8) so that a memory budget of {@code ratio} × the
 * 16-bit layers is exactly a weight-bit ratio, the quantity uniform b bits has as b/16. A ΔPPL
 * below zero (a layer quantized at 8 bits may score a hair better than the teacher) enters the
 * planner as 0: the contract requires costs ≥ 0, and it is noise.
 */
final class SensitivityProfile {
  private SensitivityProfile() {}

  static ModelProfile of(String name, ModelDimensions dims, List<LayerTrial> trials) {
    LayerCosts costs = new LayerCosts(dims);
    List<LayerProfile> layers = new ArrayList<>();
    for (int layer = 0; layer < dims.layers(); layer++) {
      List<BitCost> bits = new ArrayList<>();
      for (LayerTrial trial : trials) {
        if (trial.layer() == layer) {
          QualityCost quality =
              new QualityCost(trial.weightError(), trial.score().klDivergence(), Math.max(0, trial.score().deltaPerplexity()));
          bits.add(new BitCost(trial.bits(), weightBytes(dims, trial.bits()), quality));
        }
      }
      bits.add(new BitCost(16, weightBytes(dims, 16), new QualityCost(0, 0.0, 0.0)));
      layers.add(
          new LayerProfile(layer, dims.layerParameters(), costs.decodeFlopsPerToken(), costs.prefillFlopsPerToken(), dims.hiddenSize(), costs.kvBytesPerToken(), bits));
    }
    return ModelProfiler.assemble(name, dims, layers, List.of(), null);
  }

  static long weightBytes(ModelDimensions dims, int bits) {
    return dims.layerMatrixParameters() * bits / 8;
  }

  /** Weight bits kept ÷ 16 bits everywhere, over the layers' matrices. */
  static double ratio(int[] bits) {
    double sum = 0;
    for (int b : bits) {
      sum += b;
    }
    return sum / (16.0 * bits.length);
  }
}
