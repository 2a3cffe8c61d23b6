package io.dilemma.worker.model.graph;

import static io.dilemma.worker.model.graph.GraphBuilder.floatAttribute;
import static io.dilemma.worker.model.graph.GraphBuilder.intAttribute;
import static io.dilemma.worker.model.graph.GraphBuilder.intsAttribute;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.weights.FloatTensor;
import java.util.List;
import java.util.Map;

/**
 * One OPT decoder block: self-attention with a KV cache, then the ReLU FFN, each with a residual,
 * LayerNorm before (pre-LN) or after (post-LN) the sublayer.
 *
 * <p>Inputs: {@code hidden [batch, seq, d]}, {@code past_key}/{@code past_value [batch, heads, past,
 * d/heads]}, {@code attention_mask [batch, 1, seq, past+seq]} (additive: 0 to attend, −∞ to mask).
 * Outputs: {@code hidden_out}, {@code new_key}/{@code new_value [batch, heads, seq, d/heads]} (only
 * this chunk's rows: the runtime appends them to each session's cache in place, instead of
 * receiving the whole cache back every step), {@code attention_probs [batch, heads, seq, past+seq]}
 * and {@code attention_received [batch, past+seq]} (the probabilities summed over heads and
 * queries, what the cut quantizer ranks tokens by, per session).
 *
 * <p>A batch holds independent sessions: a prefill is one session of {@code seq} tokens; a decode
 * step is {@code batch} sessions of one token each, their pasts padded to the longest and the
 * padding masked, so each session's attention costs its own padded past, not every session's.
 *
 * <p>Graphs of format version 2 fix {@code batch} to 1 (the runtime lays the sessions of a decode
 * step side by side in one sequence for them); those of format 1 also output {@code
 * present_key}/{@code present_value [1, heads, past+seq, d/heads]} (past and new rows) instead of
 * the new rows. The runtime still reads both.
 */
public final class DecoderBlockGraph {
  public static final String HIDDEN = "hidden";
  public static final String PAST_KEY = "past_key";
  public static final String PAST_VALUE = "past_value";
  public static final String MASK = "attention_mask";
  public static final String HIDDEN_OUT = "hidden_out";
  public static final String NEW_KEY = "new_key";
  public static final String NEW_VALUE = "new_value";
  /** Format version 1's outputs: past and new rows. */
  public static final String PRESENT_KEY = "present_key";
  public static final String PRESENT_VALUE = "present_value";
  public static final String PROBS = "attention_probs";
  public static final String RECEIVED = "attention_received";

  /** The symbolic leading dimension of format 3's inputs and outputs: independent sessions. */
  public static final String BATCH = "batch";

  private static final float LAYER_NORM_EPSILON = 1e-5f;

  private DecoderBlockGraph() {}

  /** A standalone graph for one block, with every linear at {@code bits}. */
  public static OnnxMl.ModelProto build(ModelDimensions dims, Map<String, FloatTensor> block, int bits) {
    GraphBuilder g = new GraphBuilder("opt_decoder_block");
    int heads = dims.heads();
    int headDim = dims.headDim();
    g.input(HIDDEN, DataType.FLOAT, BATCH, "seq", dims.hiddenSize());
    g.input(PAST_KEY, DataType.FLOAT, BATCH, heads, "past", headDim);
    g.input(PAST_VALUE, DataType.FLOAT, BATCH, heads, "past", headDim);
    g.input(MASK, DataType.FLOAT, BATCH, 1, "seq", "total");
    Ports ports = emit(g, "block/", dims, block, bits, HIDDEN, PAST_KEY, PAST_VALUE, MASK);
    g.node("Identity", HIDDEN_OUT, List.of(ports.hidden()));
    g.node("Identity", NEW_KEY, List.of(ports.newKey()));
    g.node("Identity", NEW_VALUE, List.of(ports.newValue()));
    g.node("Identity", PROBS, List.of(ports.probs()));
    g.node("ReduceSum", RECEIVED, List.of(ports.probs(), g.longs("received_axes", 1, 2)), intAttribute("keepdims", 0));
    g.output(HIDDEN_OUT, DataType.FLOAT, BATCH, "seq", dims.hiddenSize());
    g.output(NEW_KEY, DataType.FLOAT, BATCH, heads, "seq", headDim);
    g.output(NEW_VALUE, DataType.FLOAT, BATCH, heads, "seq", headDim);
    g.output(PROBS, DataType.FLOAT, BATCH, heads, "seq", "total");
    g.output(RECEIVED, DataType.FLOAT, BATCH, "total");
    return g.build();
  }

  /** Names of a block's outputs inside a larger graph: past and new rows (present) and the new rows alone. */
  public record Ports(String hidden, String presentKey, String presentValue, String newKey, String newValue, String probs) {}

  /** Emits a block into {@code g}; every internal name starts with {@code p}. */
  public static Ports emit(
      GraphBuilder g,
      String p,
      ModelDimensions dims,
      Map<String, FloatTensor> w,
      int bits,
      String hidden,
      String pastKey,
      String pastValue,
      String mask) {
    int d = dims.hiddenSize();
    String x = hidden;
    String attentionInput = dims.preLayerNorm() ? layerNorm(g, p + "self_attn_layer_norm", w, x) : x;

    String q = linear(g, p, "self_attn.q_proj", attentionInput, w, bits);
    q = g.node("Mul", p + "q_scaled", List.of(q, g.scalar(p + "scaling", (float) (1 / Math.sqrt(dims.headDim())))));
    String k = linear(g, p, "self_attn.k_proj", attentionInput, w, bits);
    String v = linear(g, p, "self_attn.v_proj", attentionInput, w, bits);
    String headShape = g.longs(p + "head_shape", 0, -1, dims.heads(), dims.headDim());
    String qHeads = splitHeads(g, p + "q", q, headShape);
    String newKey = splitHeads(g, p + "k", k, headShape);
    String newValue = splitHeads(g, p + "v", v, headShape);
    String presentKey = g.node("Concat", p + "present_key", List.of(pastKey, newKey), intAttribute("axis", 2));
    String presentValue = g.node("Concat", p + "present_value", List.of(pastValue, newValue), intAttribute("axis", 2));
    String keysT = g.node("Transpose", p + "keys_t", List.of(presentKey), intsAttribute("perm", 0, 1, 3, 2));
    String scores = g.node("MatMul", p + "scores", List.of(qHeads, keysT));
    String masked = g.node("Add", p + "scores_masked", List.of(scores, mask));
    String probs = g.node("Softmax", p + "probs", List.of(masked), intAttribute("axis", -1));
    String context = g.node("MatMul", p + "context", List.of(probs, presentValue));
    String merged = g.node("Transpose", p + "context_t", List.of(context), intsAttribute("perm", 0, 2, 1, 3));
    merged = g.node("Reshape", p + "context_merged", List.of(merged, g.longs(p + "merged_shape", 0, -1, d)));
    String attention = linear(g, p, "self_attn.out_proj", merged, w, bits);
    x = g.node("Add", p + "attention_residual", List.of(x, attention));
    if (!dims.preLayerNorm()) {
      x = layerNorm(g, p + "self_attn_layer_norm", w, x);
    }

    String ffnInput = dims.preLayerNorm() ? layerNorm(g, p + "final_layer_norm", w, x) : x;
    String up = linear(g, p, "fc1", ffnInput, w, bits);
    String activated = g.node("Relu", p + "fc1_relu", List.of(up));
    String down = linear(g, p, "fc2", activated, w, bits);
    x = g.node("Add", p + "ffn_residual", List.of(x, down));
    if (!dims.preLayerNorm()) {
      x = layerNorm(g, p + "final_layer_norm", w, x);
    }
    return new Ports(x, presentKey, presentValue, newKey, newValue, probs);
  }

  private static String linear(GraphBuilder g, String p, String name, String input, Map<String, FloatTensor> w, int bits) {
    return LinearEmitter.emit(g, p + name, input, w.get(name + ".weight"), w.get(name + ".bias"), bits);
  }

  private static String splitHeads(GraphBuilder g, String name, String projected, String headShape) {
    String split = g.node("Reshape", name + "_split", List.of(projected, headShape));
    return g.node("Transpose", name + "_heads", List.of(split), intsAttribute("perm", 0, 2, 1, 3));
  }

  /** LayerNorm whose weights {@code name.weight}/{@code name.bias} come from {@code w} (after the prefix). */
  static String layerNorm(GraphBuilder g, String name, Map<String, FloatTensor> w, String x) {
    String local = name.substring(name.lastIndexOf('/') + 1);
    FloatTensor scale = w.get(local + ".weight");
    FloatTensor bias = w.get(local + ".bias");
    return layerNorm(g, name, scale, bias, x);
  }

  static String layerNorm(GraphBuilder g, String name, FloatTensor scale, FloatTensor bias, String x) {
    return g.node(
        "LayerNormalization",
        name + ".out",
        List.of(x, g.floats(name + ".weight", scale.shape(), scale.data()), g.floats(name + ".bias", bias.shape(), bias.data())),
        intAttribute("axis", -1),
        floatAttribute("epsilon", LAYER_NORM_EPSILON));
  }
}
