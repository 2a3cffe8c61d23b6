package io.dilemma.worker.model.runtime;

import io.dilemma.worker.model.core.WeightBits;
import java.util.List;

/**
 * Which part of a model a {@link ShardRunner} loads: decoder layers {@code firstLayer..lastLayer}
 * inclusive (both -1 for none), the weight bits of each selected layer (2, 3, 4, 8; 16 = fp16; 32 =
 * the fp32 master), and whether the embedding and the LM head are part of the shard.
 */
public record LayerSelection(
    int firstLayer, int lastLayer, List<Integer> bits, boolean embedding, boolean lmHead) {

  public LayerSelection {
    bits = List.copyOf(bits);
    if (firstLayer == -1 != (lastLayer == -1)) {
      throw new IllegalArgumentException("firstLayer and lastLayer must both be -1 or both be set");
    }
    if (firstLayer > lastLayer || firstLayer < -1) {
      throw new IllegalArgumentException("layer range " + firstLayer + ".." + lastLayer + " is empty");
    }
    int count = firstLayer < 0 ? 0 : lastLayer - firstLayer + 1;
    if (bits.size() != count) {
      throw new IllegalArgumentException(
          "layers " + firstLayer + ".." + lastLayer + " need " + count + " bit widths, got " + bits.size());
    }
    for (int b : bits) {
      if (!WeightBits.isSupported(b)) {
        throw new IllegalArgumentException("unsupported weight bit width " + b + " (use 2, 3, 4, 8, 16 or 32)");
      }
    }
  }

  /** The whole model with every layer at {@code bits}. */
  public static LayerSelection wholeModel(int layers, int bits) {
    return new LayerSelection(0, layers - 1, java.util.Collections.nCopies(layers, bits), true, true);
  }

  public int layerCount() {
    return firstLayer < 0 ? 0 : lastLayer - firstLayer + 1;
  }

  public int bitsOf(int layer) {
    return bits.get(layer - firstLayer);
  }
}
