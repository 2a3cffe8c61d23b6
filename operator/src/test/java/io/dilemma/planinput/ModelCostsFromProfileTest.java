package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.ModelCosts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCostsFromProfileTest {
  private static final List<Integer> ALL_BITS = List.of(2, 3, 4, 8, 16);
  private static final List<Double> ALL_RHO = List.of(0.0, 0.1, 0.25, 0.5, 1.0);
  private final ModelProfile opt = OptShapedProfile.create("opt-test", 4, 256, 1024, 4, 1000, 256, 3);

  @Test
  void copiesShapeAndCostsOfEveryLayer() {
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(opt, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    assertThat(costs.layers()).hasSize(4);
    ModelProfile.LayerProfile layer = opt.layers().get(2);
    ModelCosts.LayerCost cost = costs.layers().get(2);
    assertThat(cost.parameters()).isEqualTo(layer.parameters());
    assertThat(cost.kvBytesPerToken()).isEqualTo(layer.kvBytesPerToken());
    assertThat(cost.bits()).extracting(ModelCosts.BitOption::bits).containsExactly(2, 3, 4, 8, 16);
    assertThat(cost.bits().get(2).quality()).isEqualTo(layer.bits().get(2).quality().normalizedError());
    assertThat(costs.embeddingBytes()).isEqualTo(opt.embedding().bytes());
    assertThat(costs.headDecodeFlops()).isEqualTo(opt.head().decodeFlopsPerToken());
    assertThat(costs.cuts()).extracting(ModelCosts.CutCost::afterLayer).containsExactly(-1, 0, 1, 2);
  }

  @Test
  void keepsOnlyAllowedOptionsAndSynthesisesSixteenBits() {
    ModelProfile without16 = withLayerBits(opt, l -> l.bits().stream().filter(b -> b.bits() != 16).toList());
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(without16, QualityMetric.NORMALIZED_ERROR, List.of(4, 16), List.of(0.0, 1.0));
    ModelCosts.LayerCost layer = costs.layers().get(0);
    assertThat(layer.bits()).extracting(ModelCosts.BitOption::bits).containsExactly(4, 16);
    assertThat(layer.bits().get(1).weightBytes()).isEqualTo(2 * layer.parameters());
    assertThat(layer.bits().get(1).quality()).isZero();
    assertThat(costs.cuts().get(1).options()).extracting(ModelCosts.RhoOption::rho).containsExactly(0.0, 1.0);
  }

  @Test
  void theEmbeddingHopFallsBackToTheFirstCutAndMissingCutsToTheWorstMeasured() {
    List<ModelProfile.CutProfile> some = opt.cuts().stream().filter(c -> c.afterLayer() == 0 || c.afterLayer() == 2).toList();
    ModelProfile partial = new ModelProfile(1, "p", opt.architecture(), opt.embedding(), opt.head(), opt.layers(), some, null);
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(partial, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    double afterZero = some.get(0).rho().get(0).quality().normalizedError();
    double afterTwo = some.get(1).rho().get(0).quality().normalizedError();
    assertThat(costs.cuts().get(0).afterLayer()).isEqualTo(-1);
    assertThat(costs.cuts().get(0).options().get(0).quality()).isEqualTo(afterZero);
    assertThat(costs.cuts().get(2).options().get(0).quality()).isEqualTo(Math.max(afterZero, afterTwo));
  }

  @Test
  void measuredTimesCarryOverAndABadOneIsAnErrorNamingItsField() {
    List<ModelProfile.LayerTiming> layers = new java.util.ArrayList<>();
    for (int i = 0; i < opt.layers().size(); i++) {
      layers.add(new ModelProfile.LayerTiming(i, List.of(new ModelProfile.BitTiming(8, 0.001 * (i + 1), 0.0002))));
    }
    ModelProfile timed = opt.withTiming(new ModelProfile.MeasuredTiming(1e11, 2, 32, 8, layers, 0.003, 0.0004, 0.0001));
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(timed, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    assertThat(costs.measured().referenceFlopsPerSecond()).isEqualTo(1e11);
    assertThat(costs.measured().at(2, 8).decodeSeconds()).isEqualTo(0.003);
    assertThat(costs.measured().at(2, 4)).isNull();
    assertThat(costs.measured().stepOverheadSeconds()).isEqualTo(0.0004);
    assertThat(costs.measured().hopOverheadSeconds()).isEqualTo(0.0001);

    List<ModelProfile.LayerTiming> broken = new java.util.ArrayList<>(layers);
    broken.set(1, new ModelProfile.LayerTiming(1, List.of(new ModelProfile.BitTiming(8, -0.001, 0.0002))));
    ModelProfile bad = opt.withTiming(new ModelProfile.MeasuredTiming(1e11, 2, 32, 8, broken, 0.003, 0.0004, 0.0001));
    assertThatThrownBy(() -> ModelCostsFromProfile.toModelCosts(bad, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("timing.layers[1].bits[0].decodeSeconds: must be a finite number > 0, got -0.001");
    ModelProfile short_ = opt.withTiming(new ModelProfile.MeasuredTiming(1e11, 2, 32, 8, layers.subList(0, 1), 0.003, 0, 0));
    assertThatThrownBy(() -> ModelCostsFromProfile.toModelCosts(short_, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO))
        .hasMessage("timing.layers: lists 1 layers, the profile has " + opt.layers().size());
  }

  @Test
  void aMeasuredRoundTripIsTheCutsWorkInPlaceOfTheInProcessFigure() {
    List<ModelProfile.LayerTiming> layers = new java.util.ArrayList<>();
    for (int i = 0; i < opt.layers().size(); i++) {
      layers.add(new ModelProfile.LayerTiming(i, List.of(new ModelProfile.BitTiming(8, 0.001, 0.0002))));
    }
    ModelProfile.MeasuredTiming inProcess = new ModelProfile.MeasuredTiming(1e11, 2, 32, 8, layers, 0.003, 0.0004, 0.0001);
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(opt.withTiming(inProcess.withHopRoundTrip(0.004)), QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    assertThat(costs.measured().hopOverheadSeconds()).isEqualTo(0.004);

    ModelProfile bad = opt.withTiming(inProcess.withHopRoundTrip(Double.NaN));
    assertThatThrownBy(() -> ModelCostsFromProfile.toModelCosts(bad, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("timing.hopRoundTripSeconds: must be a finite number ≥ 0, got NaN");
  }

  @Test
  void aMetricTheProfileDidNotMeasureIsAnErrorNamingTheField() {
    assertThatThrownBy(() -> ModelCostsFromProfile.toModelCosts(opt, QualityMetric.KL_DIVERGENCE, ALL_BITS, ALL_RHO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("layers[0].bits[0].quality.klDivergence: not measured in this profile");
  }

  @Test
  void aNegativeZeroQualityIsZero() {
    ModelProfile negativeZero = withLayerBits(opt, l -> l.bits().stream()
        .map(b -> new ModelProfile.BitCost(b.bits(), b.weightBytes(), new ModelProfile.QualityCost(-0.0, null, null)))
        .toList());
    ModelCosts costs = ModelCostsFromProfile.toModelCosts(negativeZero, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    assertThat(costs.layers().get(0).bits()).allSatisfy(b -> assertThat(Double.compare(b.quality(), 0.0)).isZero());
  }

  @Test
  void aLayerWithoutAnyAllowedBitWidthIsAnError() {
    ModelProfile only8 = withLayerBits(opt, l -> l.bits().stream().filter(b -> b.bits() == 8).toList());
    assertThatThrownBy(() -> ModelCostsFromProfile.toModelCosts(only8, QualityMetric.NORMALIZED_ERROR, List.of(2, 4), ALL_RHO))
        .hasMessage("layers[0].bits: none of the allowed bit widths [2, 4] is profiled");
  }

  private static ModelProfile withLayerBits(
      ModelProfile p, java.util.function.Function<ModelProfile.LayerProfile, List<ModelProfile.BitCost>> bits) {
    List<ModelProfile.LayerProfile> layers = new ArrayList<>();
    for (ModelProfile.LayerProfile l : p.layers()) {
      layers.add(
          new ModelProfile.LayerProfile(
              l.index(), l.parameters(), l.decodeFlopsPerToken(), l.prefillFlopsPerToken(), l.hiddenSize(), l.kvBytesPerToken(), bits.apply(l)));
    }
    return new ModelProfile(p.schemaVersion(), p.model(), p.architecture(), p.embedding(), p.head(), layers, p.cuts(), p.additivity());
  }
}
