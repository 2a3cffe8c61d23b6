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
 */
public record ModelCosts(
    String name,
    List<LayerCost> layers,
    List<CutCost> cuts,
    long embeddingBytes,
    long headBytes,
    double headDecodeFlops) {
  public ModelCosts {
    layers = List.copyOf(layers);
    cuts = cuts == null ? List.of() : List.copyOf(cuts);
    if (layers.isEmpty()) throw new IllegalArgumentException(name + ": model has no layers");
  }

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
