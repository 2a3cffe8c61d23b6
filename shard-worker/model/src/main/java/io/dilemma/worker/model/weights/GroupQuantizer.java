package io.dilemma.worker.model.weights;

import io.dilemma.worker.model.core.WeightBits;

/**
 * Symmetric group-wise weight quantization. Each group of {@link #MAX_GROUP_SIZE} consecutive
 * input weights of one output channel shares an fp16 scale {@code s = max|w| / (2^(b−1) − 1)}; a
 * weight becomes {@code clamp(round(w/s), −2^(b−1), 2^(b−1)−1)}. At 2 bits that leaves the levels
 * −1, 0, 1 (the top code is unused), as in symmetric ternary quantization.
 *
 * <p>Groups of 256 keep the fp16 scales at {@code 16/256 / b} of the weight bytes: 1.6% at 4 bits,
 * 0.8% at 8. Smaller inputs (fewer than 256 columns) use the largest power of two that divides them.
 */
public final class GroupQuantizer {
  public static final int MAX_GROUP_SIZE = 256;
  static final int MIN_GROUP_SIZE = 16;

  private GroupQuantizer() {}

  public static int groupSize(int columns) {
    for (int size = MAX_GROUP_SIZE; size >= MIN_GROUP_SIZE; size /= 2) {
      if (columns % size == 0) {
        return size;
      }
    }
    throw new IllegalArgumentException(
        "input width " + columns + " is not a multiple of " + MIN_GROUP_SIZE + "; cannot pack it");
  }

  /** Quantizes {@code weights} ({@code [rows × columns]}, PyTorch layout) at {@code bits}. */
  public static PackedMatrix pack(float[] weights, int rows, int columns, int bits) {
    if (!WeightBits.isPacked(bits)) {
      throw new IllegalArgumentException("cannot pack at " + bits + " bits");
    }
    int groupSize = groupSize(columns);
    int groups = columns / groupSize;
    int groupBytes = groupSize * bits / 8;
    byte[] codes = new byte[rows * groups * groupBytes];
    short[] scales = new short[rows * groups];
    int maxCode = (1 << (bits - 1)) - 1;
    int minCode = -(1 << (bits - 1));
    int zeroPoint = 1 << (bits - 1);
    for (int r = 0; r < rows; r++) {
      for (int g = 0; g < groups; g++) {
        int from = r * columns + g * groupSize;
        float maxAbs = 0f;
        for (int i = 0; i < groupSize; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(weights[from + i]));
        }
        // Round the scale first, so codes are chosen against the scale the runtime will use.
        short halfScale = Half.fromFloat(maxAbs / maxCode);
        float scale = Half.toFloat(halfScale);
        scales[r * groups + g] = halfScale;
        float inverse = scale == 0f ? 0f : 1f / scale;
        int blob = (r * groups + g) * groupBytes;
        for (int i = 0; i < groupSize; i++) {
          int q = Math.round(weights[from + i] * inverse);
          q = Math.max(minCode, Math.min(maxCode, q));
          BitPacking.write(codes, blob, i, bits, q + zeroPoint);
        }
      }
    }
    return new PackedMatrix(rows, columns, bits, groupSize, codes, scales);
  }

  /** ‖W − Q_b(W)‖ / ‖W‖, the paper's teacher–student weight proxy. */
  public static double normalizedError(float[] weights, PackedMatrix packed) {
    float[] restored = packed.dequantize();
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < weights.length; i++) {
      double d = weights[i] - restored[i];
      diff += d * d;
      norm += (double) weights[i] * weights[i];
    }
    return norm == 0 ? 0 : Math.sqrt(diff / norm);
  }
}
