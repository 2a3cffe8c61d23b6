package io.dilemma.worker.model.graph;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;

/**
 * Final LayerNorm (pre-LN models only), OPT-350m's {@code project_out}, and the LM head, which is
 * tied to the token embedding. The LM head is the largest matrix of small models, so it is packed
 * like a layer's linears.
 */
public final class HeadGraph {
  public static final String HIDDEN = "hidden";
  public static final String LOGITS = "logits";

  private HeadGraph() {}

  public static OnnxMl.ModelProto build(OptWeights weights, int bits) {
    ModelDimensions dims = weights.dimensions();
    GraphBuilder g = new GraphBuilder("opt_head");
    g.input(HIDDEN, DataType.FLOAT, 1, "seq", dims.hiddenSize());
    String logits = emit(g, "head/", weights, bits, HIDDEN);
    g.node("Identity", LOGITS, List.of(logits));
    g.output(LOGITS, DataType.FLOAT, 1, "seq", dims.vocabSize());
    return g.build();
  }

  static String emit(GraphBuilder g, String p, OptWeights weights, int bits, String hidden) {
    ModelDimensions dims = weights.dimensions();
    String x = hidden;
    if (dims.preLayerNorm()) {
      x =
          DecoderBlockGraph.layerNorm(
              g,
              p + OptWeights.FINAL_NORM,
              weights.get(OptWeights.FINAL_NORM + ".weight"),
              weights.get(OptWeights.FINAL_NORM + ".bias"),
              x);
    }
    if (dims.projectsEmbedding()) {
      x = LinearEmitter.emit(g, p + "project_out", x, weights.get(OptWeights.PROJECT_OUT), null, WeightBits.FP32);
    }
    return LinearEmitter.emit(g, p + "lm_head", x, weights.get(OptWeights.EMBED_TOKENS), null, bits);
  }
}
