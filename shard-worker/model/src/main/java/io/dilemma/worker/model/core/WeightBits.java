package io.dilemma.worker.model.core;

import java.util.List;

/** The weight bit widths a layer can be stored at. */
public final class WeightBits {
  /** Packed with group-wise symmetric scales. */
  public static final List<Integer> PACKED = List.of(2, 3, 4, 8);

  public static final int FP16 = 16;
  public static final int FP32 = 32;

  private WeightBits() {}

  public static boolean isSupported(int bits) {
    return PACKED.contains(bits) || bits == FP16 || bits == FP32;
  }

  public static boolean isPacked(int bits) {
    return PACKED.contains(bits);
  }
}
