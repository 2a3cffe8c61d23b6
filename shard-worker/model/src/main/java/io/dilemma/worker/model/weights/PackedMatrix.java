package io.dilemma.worker.model.weights;

/**
 * A {@code [rows × columns]} matrix (PyTorch layout: rows = output channels) quantized along its
 * columns in groups of {@code groupSize}, in the blob layout of ONNX Runtime's {@code
 * com.microsoft.MatMulNBits}: {@code codes} is {@code [rows × groups × groupSize·bits/8]}, codes
 * are offset-binary ({@code q + 2^(bits−1)}) and packed little-end first (element {@code i} of a
 * group starts at bit {@code i·bits}); {@code scales} is {@code [rows × groups]} in fp16.
 */
public record PackedMatrix(int rows, int columns, int bits, int groupSize, byte[] codes, short[] scales) {

  public int groups() {
    return columns / groupSize;
  }

  public int groupBytes() {
    return groupSize * bits / 8;
  }

  /** Bytes this matrix takes as stored: codes plus fp16 scales. */
  public long storedBytes() {
    return codes.length + 2L * scales.length;
  }

  public int zeroPoint() {
    return 1 << (bits - 1);
  }

  public int code(int row, int column) {
    int group = column / groupSize;
    int inGroup = column % groupSize;
    long groupStart = ((long) row * groups() + group) * groupBytes();
    return BitPacking.read(codes, (int) groupStart, inGroup, bits);
  }

  /** The fp32 matrix this packing stands for: {@code (code − zeroPoint) · scale}. */
  public float[] dequantize() {
    float[] out = new float[rows * columns];
    for (int r = 0; r < rows; r++) {
      for (int g = 0; g < groups(); g++) {
        float scale = Half.toFloat(scales[r * groups() + g]);
        int groupStart = (r * groups() + g) * groupBytes();
        for (int i = 0; i < groupSize; i++) {
          int code = BitPacking.read(codes, groupStart, i, bits);
          out[r * columns + g * groupSize + i] = (code - zeroPoint()) * scale;
        }
      }
    }
    return out;
  }

  /**
   * The same values at 4 bits: what 2- and 3-bit weights are widened to at load, because ONNX
   * Runtime 1.29's CPU MatMulNBits rejects 3 bits and only has a slow dequantize-per-call path for
   * 2 bits. Codes move from zero point 2^(bits−1) to 8.
   */
  public PackedMatrix widenTo4Bits() {
    if (bits != 2 && bits != 3) {
      throw new IllegalStateException("only 2- and 3-bit matrices are widened, not " + bits);
    }
    int shift = 8 - zeroPoint();
    int groupBytes4 = groupSize / 2;
    byte[] wide = new byte[rows * groups() * groupBytes4];
    for (int block = 0; block < rows * groups(); block++) {
      for (int i = 0; i < groupSize; i++) {
        int code = BitPacking.read(codes, block * groupBytes(), i, bits) + shift;
        BitPacking.write(wide, block * groupBytes4, i, 4, code);
      }
    }
    return new PackedMatrix(rows, columns, 4, groupSize, wide, scales);
  }
}
