package io.dilemma.planinput;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.ModelCosts;
import java.util.ArrayList;
import java.util.List;

/**
 * Reduces a measured {@link ModelProfile} to the planner's {@link ModelCosts} in one quality metric.
 *
 * <ul>
 *   <li>Bit widths: only those in {@code allowedBits} are kept. 16 bits is the unquantized
 *       reference, so when a profile does not list it, it costs 2 bytes per weight and no quality.
 *       A layer left with no allowed bit width is an error.
 *   <li>Cuts: only allowed ρ values are kept; a ρ the profile did not measure at a cut is not
 *       offered there. A cut the profile did not measure (while others were) takes, per ρ, the
 *       largest cost measured at any cut: a conservative stand-in.
 *   <li>The hop from the embedding to layer 0 (only used when layer 0 leaves the origin) is the
 *       profile's cut with {@code afterLayer = -1} when present, otherwise the cut after layer 0,
 *       the nearest measured activation of the same width.
 *   <li>A profile without cuts makes every cut free in quality.
 * </ul>
 *
 * Errors are {@link InvalidInputException}s naming the profile field.
 */
public final class ModelCostsFromProfile {
  private ModelCostsFromProfile() {}

  public static ModelCosts toModelCosts(
      ModelProfile profile, QualityMetric metric, List<Integer> allowedBits, List<Double> allowedRho) {
    if (profile.layers().isEmpty()) throw new InvalidInputException(null, "layers", "the profile has no layers");
    if (profile.architecture() != null && profile.architecture().layers() != profile.layers().size()) {
      // a profile cut short (or two profiles pasted together) would plan a different model
      throw new InvalidInputException(
          null,
          "architecture.layers",
          "says " + profile.architecture().layers() + " but the profile lists " + profile.layers().size() + " layer entries");
    }
    List<ModelCosts.LayerCost> layers = new ArrayList<>();
    for (int i = 0; i < profile.layers().size(); i++) {
      layers.add(layer(profile.layers().get(i), i, metric, allowedBits));
    }
    String name = profile.model() == null ? "model" : profile.model();
    ModelProfile.ComponentProfile embedding = required(profile.embedding(), "embedding");
    ModelProfile.ComponentProfile head = required(profile.head(), "head");
    return new ModelCosts(
        name,
        layers,
        cuts(profile, metric, allowedRho),
        embedding.bytes(),
        head.bytes(),
        head.decodeFlopsPerToken(),
        measured(profile.timing(), profile.layers().size()));
  }

  /**
   * The profile's measured times, when it has them. A width the profiler did not time at a layer
   * is priced there by the roofline.
   */
  private static ModelCosts.MeasuredTimes measured(ModelProfile.MeasuredTiming timing, int layerCount) {
    if (timing == null) return null;
    positive(timing.referenceFlopsPerSecond(), "timing.referenceFlopsPerSecond");
    if (timing.layers().size() != layerCount) {
      throw new InvalidInputException(null, "timing.layers", "lists " + timing.layers().size() + " layers, the profile has " + layerCount);
    }
    List<List<ModelCosts.MeasuredBits>> layers = new ArrayList<>();
    for (int i = 0; i < layerCount; i++) {
      ModelProfile.LayerTiming layer = timing.layers().get(i);
      String field = "timing.layers[" + i + "]";
      if (layer.index() != i) throw new InvalidInputException(null, field + ".index", "expected " + i + ", got " + layer.index());
      List<ModelCosts.MeasuredBits> bits = new ArrayList<>();
      for (int j = 0; j < layer.bits().size(); j++) {
        ModelProfile.BitTiming timed = layer.bits().get(j);
        String bitsField = field + ".bits[" + j + "]";
        positive(timed.decodeSeconds(), bitsField + ".decodeSeconds");
        positive(timed.prefillSecondsPerToken(), bitsField + ".prefillSecondsPerToken");
        bits.add(new ModelCosts.MeasuredBits(timed.bits(), timed.decodeSeconds(), timed.prefillSecondsPerToken()));
      }
      layers.add(bits);
    }
    positive(timing.headDecodeSeconds(), "timing.headDecodeSeconds");
    notNegative(timing.stepOverheadSeconds(), "timing.stepOverheadSeconds");
    notNegative(timing.hopOverheadSeconds(), "timing.hopOverheadSeconds");
    return new ModelCosts.MeasuredTimes(
        timing.referenceFlopsPerSecond(), layers, timing.headDecodeSeconds(), timing.stepOverheadSeconds(), hopSeconds(timing));
  }

  /**
   * A cut's work per step: the measured round trip through the serving runtime when the profile
   * has it; an older profile's in-process codec and hand-off figure otherwise, which misses the
   * RPC's transports and wake-ups.
   */
  private static double hopSeconds(ModelProfile.MeasuredTiming timing) {
    if (timing.hopRoundTripSeconds() == null) return timing.hopOverheadSeconds();
    notNegative(timing.hopRoundTripSeconds(), "timing.hopRoundTripSeconds");
    return timing.hopRoundTripSeconds();
  }

  private static void positive(double v, String field) {
    if (!finitePositive(v)) throw new InvalidInputException(null, field, "must be a finite number > 0, got " + v);
  }

  private static void notNegative(double v, String field) {
    if (!(v >= 0) || !Double.isFinite(v)) throw new InvalidInputException(null, field, "must be a finite number ≥ 0, got " + v);
  }

  private static ModelProfile.ComponentProfile required(ModelProfile.ComponentProfile c, String field) {
    if (c == null) throw new InvalidInputException(null, field, "missing");
    // NaN and infinity compare false against every bound, so finiteness is asked for explicitly
    if (c.bytes() < 0 || !(c.decodeFlopsPerToken() >= 0) || !Double.isFinite(c.decodeFlopsPerToken())) {
      throw new InvalidInputException(null, field, "bytes and decodeFlopsPerToken must be finite and ≥ 0");
    }
    return c;
  }

  private static ModelCosts.LayerCost layer(
      ModelProfile.LayerProfile layer, int position, QualityMetric metric, List<Integer> allowedBits) {
    String field = "layers[" + position + "]";
    if (layer.index() != position) {
      throw new InvalidInputException(null, field + ".index", "expected " + position + ", got " + layer.index());
    }
    if (layer.parameters() <= 0) throw new InvalidInputException(null, field + ".parameters", "must be > 0");
    if (layer.hiddenSize() <= 0) throw new InvalidInputException(null, field + ".hiddenSize", "must be > 0");
    if (!finitePositive(layer.decodeFlopsPerToken()) || !finitePositive(layer.prefillFlopsPerToken())) {
      throw new InvalidInputException(null, field, "decodeFlopsPerToken and prefillFlopsPerToken must be finite and > 0");
    }
    if (layer.kvBytesPerToken() < 0) throw new InvalidInputException(null, field + ".kvBytesPerToken", "must be ≥ 0");
    if (layer.bits().isEmpty()) {
      // planning such a layer at an assumed 16 bits would hide a profile the profiler did not finish
      throw new InvalidInputException(null, field + ".bits", "missing: every layer needs the bit widths the profiler measured");
    }
    List<ModelCosts.BitOption> options = new ArrayList<>();
    for (int j = 0; j < layer.bits().size(); j++) {
      ModelProfile.BitCost cost = layer.bits().get(j);
      if (!allowedBits.contains(cost.bits())) continue;
      String costField = field + ".bits[" + j + "]";
      if (cost.weightBytes() <= 0) throw new InvalidInputException(null, costField + ".weightBytes", "must be > 0");
      options.add(new ModelCosts.BitOption(cost.bits(), cost.weightBytes(), value(cost.quality(), metric, costField)));
    }
    if (allowedBits.contains(16) && options.stream().noneMatch(o -> o.bits() == 16)) {
      options.add(new ModelCosts.BitOption(16, 2 * layer.parameters(), 0.0));
    }
    if (options.isEmpty()) {
      throw new InvalidInputException(null, field + ".bits", "none of the allowed bit widths " + allowedBits + " is profiled");
    }
    return new ModelCosts.LayerCost(
        position,
        layer.parameters(),
        layer.decodeFlopsPerToken(),
        layer.prefillFlopsPerToken(),
        layer.hiddenSize(),
        layer.kvBytesPerToken(),
        options);
  }

  private static boolean finitePositive(double v) {
    return v > 0 && Double.isFinite(v);
  }

  private static double value(ModelProfile.QualityCost quality, QualityMetric metric, String field) {
    if (quality == null) throw new InvalidInputException(null, field + ".quality", "missing");
    try {
      double v = quality.value(metric);
      if (!Double.isFinite(v) || v < 0) throw new InvalidInputException(null, field + ".quality." + MetricNames.of(metric), "must be a finite number ≥ 0");
      // "-0" passes the check above but sorts below 0 (Double.compare), which the solver's
      // "no loss" options and the budget's sums must not see; adding 0.0 makes it +0.
      return v + 0.0;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(null, field + ".quality." + MetricNames.of(metric), "not measured in this profile");
    }
  }

  private static List<ModelCosts.CutCost> cuts(ModelProfile profile, QualityMetric metric, List<Double> allowedRho) {
    if (profile.cuts().isEmpty()) return List.of();
    int n = profile.layers().size();
    List<List<ModelCosts.RhoOption>> measured = new ArrayList<>();
    for (int c = -1; c < n - 1; c++) measured.add(null);
    for (int j = 0; j < profile.cuts().size(); j++) {
      ModelProfile.CutProfile cut = profile.cuts().get(j);
      String field = "cuts[" + j + "]";
      if (cut.afterLayer() < -1 || cut.afterLayer() > n - 2) {
        throw new InvalidInputException(null, field + ".afterLayer", "expected -1.." + (n - 2) + ", got " + cut.afterLayer());
      }
      List<ModelCosts.RhoOption> options = new ArrayList<>();
      for (int r = 0; r < cut.rho().size(); r++) {
        ModelProfile.RhoCost cost = cut.rho().get(r);
        if (allowedRho.stream().anyMatch(a -> Math.abs(a - cost.rho()) < 1e-9)) {
          options.add(new ModelCosts.RhoOption(cost.rho(), value(cost.quality(), metric, field + ".rho[" + r + "]")));
        }
      }
      measured.set(cut.afterLayer() + 1, options);
    }
    if (measured.get(0) == null && n > 1 && measured.get(1) != null) measured.set(0, measured.get(1));
    List<ModelCosts.RhoOption> worst = worstPerRho(measured);
    List<ModelCosts.CutCost> cuts = new ArrayList<>();
    for (int c = -1; c < n - 1; c++) {
      List<ModelCosts.RhoOption> options = measured.get(c + 1);
      cuts.add(new ModelCosts.CutCost(c, options == null ? worst : options));
    }
    return cuts;
  }

  private static List<ModelCosts.RhoOption> worstPerRho(List<List<ModelCosts.RhoOption>> measured) {
    List<ModelCosts.RhoOption> worst = new ArrayList<>();
    for (List<ModelCosts.RhoOption> options : measured) {
      if (options == null) continue;
      for (ModelCosts.RhoOption o : options) {
        int at = -1;
        for (int j = 0; j < worst.size(); j++) if (Math.abs(worst.get(j).rho() - o.rho()) < 1e-9) at = j;
        if (at < 0) worst.add(o);
        else if (o.quality() > worst.get(at).quality()) worst.set(at, o);
      }
    }
    return worst;
  }
}
