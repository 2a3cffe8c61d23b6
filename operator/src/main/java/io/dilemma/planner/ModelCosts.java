package io.dilemma.planner;

import java.util.List;

/**
 * The model as the planner sees it: per-layer costs already reduced to the one quality metric the
 * budget constrains.
 *
 * @param name model name
 * @param layers decoder blocks in order
 * @param cuts cut after layer i (i = 0..n-2) → quality cost per ρ; empty list means cuts there
 *     cost no quality at any ρ in the options
 * @param embeddingBytes resident bytes of the embedding, always on the origin
 * @param headBytes resident bytes of final LayerNorm + LM head, placed with the last layer
 * @param headDecodeFlops FLOPs of the LM head per token
 * @param measured times the profiler measured on its machine; null prices compute by the roofline
 */
public record ModelCosts(
    String name,
    List<LayerCost> layers,
    List<CutCost> cuts,
    long embeddingBytes,
    long headBytes,
    double headDecodeFlops,
    MeasuredTimes measured) {
  /** A model priced by the roofline alone. */
  public ModelCosts(String name, List<LayerCost> layers, List<CutCost> cuts, long embeddingBytes, long headBytes, double headDecodeFlops) {
    this(name, layers, cuts, embeddingBytes, headBytes, headDecodeFlops, null);
  }

  public ModelCosts withMeasured(MeasuredTimes times) {
    return new ModelCosts(name, layers, cuts, embeddingBytes, headBytes, headDecodeFlops, times);
  }

  public ModelCosts {
    layers = List.copyOf(layers);
    cuts = cuts == null ? List.of() : List.copyOf(cuts);
    if (layers.isEmpty()) throw new IllegalArgumentException(name + ": model has no layers");
    if (measured != null && measured.layers().size() != layers.size()) {
      throw new IllegalArgumentException(name + ": measured times cover " + measured.layers().size() + " of " + layers.size() + " layers");
    }
  }

  /**
   * Seconds measured on the profiling machine, whose MatMul benchmark gave
   * {@code referenceFlopsPerSecond}; {@link CostModel} carries them to a node.
   *
   * @param layers per layer, per bit width: decode step and prefill per token
   * @param headDecodeSeconds LM head on one token
   * @param stepOverheadSeconds the head's own work per step (embedding, sampling, detokenizing)
   * @param hopOverheadSeconds what one cut adds to each step beside its bytes and the link's
   *     latency: a step's frame out and its token back through the serving runtime
   */
  public record MeasuredTimes(
      double referenceFlopsPerSecond,
      List<List<MeasuredBits>> layers,
      double headDecodeSeconds,
      double stepOverheadSeconds,
      double hopOverheadSeconds) {
    public MeasuredTimes {
      layers = layers.stream().map(List::copyOf).toList();
    }

    /** The measurement of layer i at {@code bits}, or null when it was not timed at that width. */
    public MeasuredBits at(int layer, int bits) {
      for (MeasuredBits m : layers.get(layer)) if (m.bits() == bits) return m;
      return null;
    }
  }

  public record MeasuredBits(int bits, double decodeSeconds, double prefillSecondsPerToken) {}

  /**
   * @param index position, from 0
   * @param parameters number of weights P_i
   * @param decodeFlops F_i, FLOPs per decoded token
   * @param prefillFlops FLOPs per prompt token
   * @param hiddenSize d, activation values per token crossing a cut after this layer
   * @param kvBytesPerToken KV cache bytes per token held by the node running this layer
   * @param bits options: bit width, resident bytes, quality cost
   */
  public record LayerCost(
      int index,
      long parameters,
      double decodeFlops,
      double prefillFlops,
      int hiddenSize,
      long kvBytesPerToken,
      List<BitOption> bits) {
    public LayerCost {
      bits = List.copyOf(bits);
    }
  }

  public record BitOption(int bits, long weightBytes, double quality) {}

  /** @param afterLayer the cut between layer afterLayer and afterLayer+1 */
  public record CutCost(int afterLayer, List<RhoOption> options) {
    public CutCost {
      options = List.copyOf(options);
    }
  }

  /** ρ: share of tokens kept at 8 bits at a cut, the rest at 4; quality as profiled. */
  public record RhoOption(double rho, double quality) {}
}
