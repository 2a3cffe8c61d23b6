package io.dilemma.worker.model.graph;

import static io.dilemma.worker.model.graph.GraphBuilder.intAttribute;

import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.GroupQuantizer;
import io.dilemma.worker.model.weights.Half;
import io.dilemma.worker.model.weights.PackedMatrix;
import java.util.List;

/**
 * Emits {@code y = x·Wᵀ + b} at a bit width. Packed widths use {@code com.microsoft.MatMulNBits},
 * which keeps the weights packed in memory; the fp16 scales are cast to fp32 by a node that
 * constant folding collapses into a small fp32 initializer. fp32 and fp16 weights are stored
 * transposed ({@code [in × out]}) for a plain MatMul.
 *
 * <p>Initializer names end in {@code .weight_t} (fp32/fp16), or {@code .qweight} and {@code
 * .scales} (packed), after the PyTorch name, so a graph can be read back into weights.
 */
public final class LinearEmitter {
  public static final String TRANSPOSED = ".weight_t";
  public static final String CODES = ".qweight";
  public static final String SCALES = ".scales";

  private LinearEmitter() {}

  /**
   * @param name PyTorch name without {@code .weight}, also the prefix of the graph names
   * @param bias {@code [out]} or null
   */
  public static String emit(GraphBuilder g, String name, String input, FloatTensor weight, FloatTensor bias, int bits) {
    int out = weight.rows();
    int in = weight.columns();
    String product;
    if (WeightBits.isPacked(bits)) {
      PackedMatrix packed = GroupQuantizer.pack(weight.data(), out, in, bits);
      product = emitPacked(g, name, input, packed);
    } else if (bits == WeightBits.FP16) {
      FloatTensor transposed = weight.transposed();
      short[] halves = new short[transposed.data().length];
      for (int i = 0; i < halves.length; i++) {
        halves[i] = Half.fromFloat(transposed.data()[i]);
      }
      String stored = g.halves(name + TRANSPOSED, transposed.shape(), halves);
      String widened = g.node("Cast", name + ".weight_f32", List.of(stored), intAttribute("to", 1));
      product = g.node("MatMul", name + ".matmul", List.of(input, widened));
    } else {
      FloatTensor transposed = weight.transposed();
      String stored = g.floats(name + TRANSPOSED, transposed.shape(), transposed.data());
      product = g.node("MatMul", name + ".matmul", List.of(input, stored));
    }
    if (bias == null) {
      return product;
    }
    String b = g.floats(name + ".bias", bias.shape(), bias.data());
    return g.node("Add", name + ".out", List.of(product, b));
  }

  /** MatMulNBits over an already packed matrix (bits 2, 3, 4 or 8; 3 is widened at load). */
  public static String emitPacked(GraphBuilder g, String name, String input, PackedMatrix packed) {
    String codes =
        g.bytes(name + CODES, new int[] {packed.rows(), packed.groups(), packed.groupBytes()}, packed.codes());
    String halfScales = g.halves(name + SCALES, new int[] {packed.scales().length}, packed.scales());
    String scales = g.node("Cast", name + ".scales_f32", List.of(halfScales), intAttribute("to", 1));
    return g.microsoftNode(
        "MatMulNBits",
        name + ".matmul",
        List.of(input, codes, scales),
        intAttribute("K", packed.columns()),
        intAttribute("N", packed.rows()),
        intAttribute("bits", packed.bits()),
        intAttribute("block_size", packed.groupSize()),
        intAttribute("accuracy_level", accuracyLevel(packed.bits())));
  }

  /**
   * MatMulNBits' compute precision: 0 (fp32 activations) where ORT 1.29's CPU has a fast fp32
   * kernel, i.e. 4 bits; 4 (activations quantized to int8 per block) at 8 bits, whose fp32 path
   * dequantizes the weights on every call (1.7 vs 9 tokens/s on OPT-125m). The int8 activation
   * rounding is part of what the profiler measures for 8-bit layers.
   */
  public static int accuracyLevel(int bits) {
    return bits == 8 ? 4 : 0;
  }
}
