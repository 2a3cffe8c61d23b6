package io.dilemma.worker.model.cli;

import io.dilemma.worker.model.core.WeightBits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Parses {@code --bits 4,4,8,…}: one width per layer, or one width for every layer. */
public final class BitList {
  private BitList() {}

  public static List<Integer> parse(String text) {
    List<Integer> bits = new ArrayList<>();
    for (String part : text.split(",")) {
      int value;
      try {
        value = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--bits: '" + part.trim() + "' is not a number");
      }
      if (!WeightBits.isSupported(value)) {
        throw new IllegalArgumentException("--bits: " + value + " is not a supported width (2, 3, 4, 8, 16, 32)");
      }
      bits.add(value);
    }
    return bits;
  }

  public static List<Integer> perLayer(String text, int layers) {
    List<Integer> bits = parse(text);
    if (bits.size() == 1) {
      return Collections.nCopies(layers, bits.get(0));
    }
    if (bits.size() != layers) {
      throw new IllegalArgumentException("--bits lists " + bits.size() + " widths but the model has " + layers + " layers");
    }
    return bits;
  }
}
