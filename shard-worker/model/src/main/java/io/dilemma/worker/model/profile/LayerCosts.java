package io.dilemma.worker.model.profile;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.GroupQuantizer;

/**
 * Exact counts of an OPT block and of the embedding and head, from the shapes alone.
 *
 * <p>FLOPs count a multiply-add as 2. Attention depends on the context, so it is counted at
 * {@link #REFERENCE_CONTEXT} tokens: a decode step attends over that many cached tokens; prefill
 * is averaged over a prompt of that length.
 */
public final class LayerCosts {
  public static final int REFERENCE_CONTEXT = 512;

  private final ModelDimensions dims;

  public LayerCosts(ModelDimensions dims) {
    this.dims = dims;
  }

  /** QKᵀ and PV: 2 · 2 · d multiply-adds per attended token. */
  private double attentionFlops(double attendedTokens) {
    return 4.0 * dims.hiddenSize() * attendedTokens;
  }

  public double decodeFlopsPerToken() {
    return 2.0 * dims.layerMatrixParameters() + attentionFlops(REFERENCE_CONTEXT);
  }

  public double prefillFlopsPerToken() {
    return 2.0 * dims.layerMatrixParameters() + attentionFlops((REFERENCE_CONTEXT + 1) / 2.0);
  }

  /** Keys and values, fp32. */
  public long kvBytesPerToken() {
    return 2L * dims.hiddenSize() * Float.BYTES;
  }

  /** Bytes of a block stored at {@code bits}: packed matrices with fp16 group scales, fp32 biases and norms. */
  public long layerBytes(int bits) {
    long d = dims.hiddenSize();
    long f = dims.ffnSize();
    long vectors = dims.layerParameters() - dims.layerMatrixParameters();
    long matrices =
        4 * matrixBytes(d, d, bits) + matrixBytes(f, d, bits) + matrixBytes(d, f, bits);
    return matrices + vectors * Float.BYTES;
  }

  /** Bytes of a {@code [rows × columns]} matrix at {@code bits}. */
  public static long matrixBytes(long rows, long columns, int bits) {
    if (bits == WeightBits.FP32 || bits == WeightBits.FP16) {
      return rows * columns * bits / 8;
    }
    long groups = columns / GroupQuantizer.groupSize((int) columns);
    return rows * columns * bits / 8 + rows * groups * 2;
  }

  public long embeddingParameters() {
    long projection = dims.projectsEmbedding() ? (long) dims.hiddenSize() * dims.wordEmbedDim() : 0;
    return (long) dims.vocabSize() * dims.wordEmbedDim()
        + (long) (dims.maxPositions() + ModelDimensions.POSITION_OFFSET) * dims.hiddenSize()
        + projection;
  }

  public long embeddingBytes(int bits) {
    long projection = dims.projectsEmbedding() ? 4L * dims.hiddenSize() * dims.wordEmbedDim() : 0;
    return (long) dims.vocabSize() * dims.wordEmbedDim() * bits / 8
        + 4L * (dims.maxPositions() + ModelDimensions.POSITION_OFFSET) * dims.hiddenSize()
        + projection;
  }

  public double embeddingDecodeFlops() {
    return dims.projectsEmbedding() ? 2.0 * dims.hiddenSize() * dims.wordEmbedDim() : dims.hiddenSize();
  }

  /** The head keeps its own copy of the (tied) token embedding as the LM head. */
  public long headParameters() {
    long projection = dims.projectsEmbedding() ? (long) dims.hiddenSize() * dims.wordEmbedDim() : 0;
    long norm = dims.preLayerNorm() ? 2L * dims.hiddenSize() : 0;
    return (long) dims.vocabSize() * dims.wordEmbedDim() + projection + norm;
  }

  public long headBytes(int bits) {
    long projection = dims.projectsEmbedding() ? 4L * dims.hiddenSize() * dims.wordEmbedDim() : 0;
    long norm = dims.preLayerNorm() ? 8L * dims.hiddenSize() : 0;
    return matrixBytes(dims.vocabSize(), dims.wordEmbedDim(), bits) + projection + norm;
  }

  public double headDecodeFlops() {
    double projection = dims.projectsEmbedding() ? 2.0 * dims.hiddenSize() * dims.wordEmbedDim() : 0;
    return 2.0 * dims.vocabSize() * dims.wordEmbedDim() + projection;
  }
}
