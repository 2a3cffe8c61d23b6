package io.dilemma.worker.model.profile;

import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.GroupQuantizer;
import io.dilemma.worker.model.weights.Half;
import io.dilemma.worker.model.weights.PackedMatrix;

/**
 * Accumulates ‖W − Q_b(W)‖² and ‖W‖² over several matrices (or rows of them), so a layer's
 * normalized error weighs each matrix by its size.
 */
final class WeightError {
  private double difference;
  private double norm;

  void add(float[] weights, int rows, int columns, int bits) {
    float[] restored;
    if (bits == WeightBits.FP32) {
      restored = weights;
    } else if (bits == WeightBits.FP16) {
      restored = new float[weights.length];
      for (int i = 0; i < weights.length; i++) {
        restored[i] = Half.round(weights[i]);
      }
    } else {
      PackedMatrix packed = GroupQuantizer.pack(weights, rows, columns, bits);
      restored = packed.dequantize();
    }
    for (int i = 0; i < weights.length; i++) {
      double d = weights[i] - restored[i];
      difference += d * d;
      norm += (double) weights[i] * weights[i];
    }
  }

  double normalized() {
    return norm == 0 ? 0 : Math.sqrt(difference / norm);
  }
}
