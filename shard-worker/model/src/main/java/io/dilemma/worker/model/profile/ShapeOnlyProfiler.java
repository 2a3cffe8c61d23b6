package io.dilemma.worker.model.profile;

import io.dilemma.contract.ModelProfile.BitCost;
import io.dilemma.contract.ModelProfile.CutProfile;
import io.dilemma.contract.ModelProfile.LayerProfile;
import io.dilemma.contract.ModelProfile.QualityCost;
import io.dilemma.contract.ModelProfile.RhoCost;
import io.dilemma.contract.ModelProfile;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A profile for a model too large to run here (OPT-6.7B): exact counts from the shape, the weight
 * proxy ‖W − Q_b(W)‖/‖W‖ from {@link #SAMPLED_ROWS} synthesised rows per matrix, and for cuts the
 * activation proxy on synthetic activations with outlier channels. KL and ΔPPL stay null: they
 * need the model to run.
 */
public final class ShapeOnlyProfiler {
  static final int SAMPLED_ROWS = 32;
  static final int SYNTHETIC_TOKENS = 128;

  private final String name;
  private final ModelDimensions dims;
  private final WeightSynthesizer synthesizer;
  private final List<Integer> bits;
  private final List<Double> rhos;

  public ShapeOnlyProfiler(String name, ModelDimensions dims, long seed, List<Integer> bits, List<Double> rhos) {
    this.name = name;
    this.dims = dims;
    this.synthesizer = new WeightSynthesizer(seed);
    this.bits = bits;
    this.rhos = rhos;
  }

  public ModelProfile profile(ProfileProgress progress) {
    progress.start(dims.layers() + 1);
    LayerCosts costs = new LayerCosts(dims);
    List<LayerProfile> layers = new ArrayList<>();
    for (int layer = 0; layer < dims.layers(); layer++) {
      List<BitCost> bitCosts = new ArrayList<>();
      for (int b : bits) {
        bitCosts.add(new BitCost(b, costs.layerBytes(b), new QualityCost(sampledError(layer, b), null, null)));
      }
      layers.add(
          new LayerProfile(
              layer, dims.layerParameters(), costs.decodeFlopsPerToken(), costs.prefillFlopsPerToken(), dims.hiddenSize(), costs.kvBytesPerToken(), bitCosts));
      progress.step();
    }
    List<CutProfile> cuts = new ArrayList<>();
    for (int layer = 0; layer + 1 < dims.layers(); layer++) {
      List<RhoCost> rhoCosts = new ArrayList<>();
      for (double rho : rhos) {
        rhoCosts.add(new RhoCost(rho, new QualityCost(syntheticCutError(layer, rho), null, null)));
      }
      cuts.add(new CutProfile(layer, rhoCosts));
    }
    progress.step();
    return ModelProfiler.assemble(name, dims, layers, cuts, null);
  }

  private double sampledError(int layer, int b) {
    WeightError error = new WeightError();
    var shapes = OptWeights.expectedShapes(dims);
    SplittableRandom rowPicker = new SplittableRandom(layer * 31L + b);
    for (String linear : OptWeights.BLOCK_LINEARS) {
      String tensor = OptWeights.layerName(layer, linear + ".weight");
      int[] shape = shapes.get(tensor);
      float[] rows = new float[SAMPLED_ROWS * shape[1]];
      for (int r = 0; r < SAMPLED_ROWS; r++) {
        synthesizer.fillRow(tensor, shape, rowPicker.nextInt(shape[0]), rows, r * shape[1]);
      }
      error.add(rows, SAMPLED_ROWS, shape[1], b);
    }
    return error.normalized();
  }

  /** Gaussian activations with the synthesiser's outlier channels; attention received drawn at random. */
  private double syntheticCutError(int layer, double rho) {
    SplittableRandom random = new SplittableRandom(layer * 131L + Double.hashCode(rho));
    int d = dims.hiddenSize();
    float[] x = new float[SYNTHETIC_TOKENS * d];
    float[] received = new float[SYNTHETIC_TOKENS];
    boolean[] outlier = new boolean[d];
    for (int c = 0; c < d; c++) {
      outlier[c] = random.nextDouble() < 0.005;
    }
    for (int t = 0; t < SYNTHETIC_TOKENS; t++) {
      received[t] = (float) random.nextDouble();
      for (int c = 0; c < d; c++) {
        x[t * d + c] = (float) (random.nextGaussian() * (outlier[c] ? 8 : 1));
      }
    }
    return ModelProfiler.relativeDifference(x, TokenAdaptiveQuantizer.roundTrip(x, d, received, rho));
  }
}
