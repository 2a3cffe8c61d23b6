package io.dilemma.worker.model.synth;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic OPT weights with the statistics quantization error depends on: matrices are
 * normal with OPT's init scale, and a few input channels per matrix carry much larger weights (the
 * outlier features of trained LLMs, which dominate a group's scale and so its rounding error).
 *
 * <p>Each tensor draws from its own stream seeded by (seed, name), so a tensor does not change when
 * others are added, and one row can be regenerated alone for shape-only profiling.
 */
public final class WeightSynthesizer {
  /** OPT's init standard deviation for linear layers. */
  static final double MATRIX_STD = 0.02;
  /** Token embeddings are wider than OPT's init so a random model's logits are not flat. */
  static final double EMBEDDING_STD = 0.08;
  /** Share of input channels that are outliers, and how much larger they are. */
  static final double OUTLIER_SHARE = 0.005;
  static final double OUTLIER_SCALE = 8.0;

  private final long seed;

  public WeightSynthesizer(long seed) {
    this.seed = seed;
  }

  public OptWeights synthesize(ModelDimensions dims) {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    OptWeights.expectedShapes(dims).forEach((name, shape) -> tensors.put(name, tensor(name, shape)));
    return new OptWeights(dims, tensors);
  }

  FloatTensor tensor(String name, int[] shape) {
    long size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    float[] data = new float[Math.toIntExact(size)];
    int rows = shape[0];
    int columns = shape.length == 1 ? 1 : data.length / rows;
    for (int row = 0; row < rows; row++) {
      fillRow(name, shape, row, data, row * columns);
    }
    return new FloatTensor(shape, data);
  }

  /** Fills one row (output channel) of tensor {@code name}; the same row always gets the same values. */
  public void fillRow(String name, int[] shape, int row, float[] out, int offset) {
    int columns = shape.length == 1 ? 1 : (int) (product(shape) / shape[0]);
    SplittableRandom random = new SplittableRandom(mix(seed, name.hashCode(), row));
    if (name.endsWith("layer_norm.weight")) {
      out[offset] = (float) (1.0 + 0.05 * random.nextGaussian());
      return;
    }
    if (name.endsWith(".bias")) {
      out[offset] = (float) (0.01 * random.nextGaussian());
      return;
    }
    boolean embedding = name.endsWith("embed_tokens.weight") || name.endsWith("embed_positions.weight");
    double std = embedding ? EMBEDDING_STD : MATRIX_STD;
    long outlierSeed = mix(seed, name.hashCode(), -1);
    for (int c = 0; c < columns; c++) {
      double scale = !embedding && isOutlierChannel(outlierSeed, c) ? OUTLIER_SCALE : 1.0;
      out[offset + c] = (float) (std * scale * random.nextGaussian());
    }
  }

  private static boolean isOutlierChannel(long outlierSeed, int column) {
    return new SplittableRandom(mix(outlierSeed, column, 7)).nextDouble() < OUTLIER_SHARE;
  }

  private static long product(int[] shape) {
    long size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    return size;
  }

  private static long mix(long a, long b, long c) {
    long h = a * 0x9E3779B97F4A7C15L + b;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + c;
    return h ^ (h >>> 29);
  }
}
