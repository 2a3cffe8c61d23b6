package io.dilemma.worker.model.core;

/**
 * Shape of an OPT-architecture decoder.
 *
 * @param wordEmbedDim width of the token embedding; differs from {@code hiddenSize} when the model
 *     projects in and out (OPT-350m: 512↔1024)
 * @param preLayerNorm true for pre-LN blocks (with a final LayerNorm before the head), false for
 *     post-LN blocks (OPT-350m, no final LayerNorm)
 */
public record ModelDimensions(
    int layers,
    int hiddenSize,
    int wordEmbedDim,
    int heads,
    int ffnSize,
    int vocabSize,
    int maxPositions,
    boolean preLayerNorm) {

  /** OPT's learned positional embedding table starts at row 2 (rows 0, 1 are padding leftovers). */
  public static final int POSITION_OFFSET = 2;

  public ModelDimensions {
    if (layers < 1 || hiddenSize < 1 || heads < 1 || ffnSize < 1 || vocabSize < 1) {
      throw new IllegalArgumentException("model dimensions must be positive");
    }
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException(
          "hidden size " + hiddenSize + " is not divisible by " + heads + " heads");
    }
  }

  public int headDim() {
    return hiddenSize / heads;
  }

  public boolean projectsEmbedding() {
    return wordEmbedDim != hiddenSize;
  }

  /** Weights in one decoder block: 4 attention projections, 2 FFN matrices, biases, 2 LayerNorms. */
  public long layerParameters() {
    long d = hiddenSize;
    long f = ffnSize;
    return 4 * (d * d + d) + (d * f + f) + (f * d + d) + 4 * d;
  }

  /** Weights in the 6 matrices of a block, the part that is packed at b bits. */
  public long layerMatrixParameters() {
    return 4L * hiddenSize * hiddenSize + 2L * hiddenSize * ffnSize;
  }
}
