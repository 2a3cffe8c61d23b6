package io.dilemma.worker.model.weights;

import java.util.Arrays;

/** A dense fp32 tensor, row-major. */
public record FloatTensor(int[] shape, float[] data) {
  public FloatTensor {
    long size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    if (size != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
    }
  }

  public int rows() {
    return shape[0];
  }

  public int columns() {
    return shape.length == 1 ? 1 : data.length / shape[0];
  }

  /** The transpose of a matrix. */
  public FloatTensor transposed() {
    int rows = rows();
    int columns = columns();
    float[] out = new float[data.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        out[c * rows + r] = data[r * columns + c];
      }
    }
    return new FloatTensor(new int[] {columns, rows}, out);
  }

  public String shapeText() {
    return Arrays.toString(shape);
  }
}
