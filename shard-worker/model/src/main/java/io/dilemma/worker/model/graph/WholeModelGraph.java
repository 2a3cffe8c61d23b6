package io.dilemma.worker.model.graph;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;

/**
 * The whole model as one graph, from the same emitters as the per-layer shards: the reference the
 * shards are tested against and the speed limit they are benchmarked against.
 *
 * <p>Inputs: {@code input_ids}, {@code position_ids}, {@code attention_mask}, and {@code
 * past_key_i}/{@code past_value_i} per layer; outputs {@code logits} and {@code
 * present_key_i}/{@code present_value_i}.
 */
public final class WholeModelGraph {
  public static final String LOGITS = "logits";

  private WholeModelGraph() {}

  public static String pastKey(int layer) {
    return "past_key_" + layer;
  }

  public static String pastValue(int layer) {
    return "past_value_" + layer;
  }

  public static String presentKey(int layer) {
    return "present_key_" + layer;
  }

  public static String presentValue(int layer) {
    return "present_value_" + layer;
  }

  public static OnnxMl.ModelProto build(OptWeights weights, int layerBits, int embeddingBits, int headBits) {
    ModelDimensions dims = weights.dimensions();
    GraphBuilder g = new GraphBuilder("opt_whole_model");
    g.input(EmbeddingGraph.INPUT_IDS, DataType.INT64, 1, "seq");
    g.input(EmbeddingGraph.POSITION_IDS, DataType.INT64, 1, "seq");
    g.input(DecoderBlockGraph.MASK, DataType.FLOAT, 1, 1, "seq", "total");
    String x = EmbeddingGraph.emit(g, "embedding/", weights, embeddingBits, EmbeddingGraph.INPUT_IDS, EmbeddingGraph.POSITION_IDS);
    for (int layer = 0; layer < dims.layers(); layer++) {
      g.input(pastKey(layer), DataType.FLOAT, 1, dims.heads(), "past", dims.headDim());
      g.input(pastValue(layer), DataType.FLOAT, 1, dims.heads(), "past", dims.headDim());
      DecoderBlockGraph.Ports ports =
          DecoderBlockGraph.emit(
              g, "layer" + layer + "/", dims, weights.block(layer), layerBits, x, pastKey(layer), pastValue(layer), DecoderBlockGraph.MASK);
      x = ports.hidden();
      g.node("Identity", presentKey(layer), List.of(ports.presentKey()));
      g.node("Identity", presentValue(layer), List.of(ports.presentValue()));
      g.output(presentKey(layer), DataType.FLOAT, 1, dims.heads(), "total", dims.headDim());
      g.output(presentValue(layer), DataType.FLOAT, 1, dims.heads(), "total", dims.headDim());
    }
    String logits = HeadGraph.emit(g, "head/", weights, headBits, x);
    g.node("Identity", LOGITS, List.of(logits));
    g.output(LOGITS, DataType.FLOAT, 1, "seq", dims.vocabSize());
    return g.build();
  }
}
