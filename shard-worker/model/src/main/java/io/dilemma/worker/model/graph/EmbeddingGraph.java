package io.dilemma.worker.model.graph;

import static io.dilemma.worker.model.graph.GraphBuilder.intAttribute;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.Half;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.List;

/**
 * Token embedding (+ OPT-350m's {@code project_in} to the hidden width) plus the learned
 * positional embedding, whose table is offset by {@link ModelDimensions#POSITION_OFFSET}.
 *
 * <p>The token table is a Gather source, so it stays as stored: fp32, or fp16 with the gathered
 * rows cast (only those rows are ever widened).
 */
public final class EmbeddingGraph {
  public static final String INPUT_IDS = "input_ids";
  public static final String POSITION_IDS = "position_ids";
  public static final String HIDDEN = "hidden";

  private EmbeddingGraph() {}

  public static OnnxMl.ModelProto build(OptWeights weights, int bits) {
    ModelDimensions dims = weights.dimensions();
    GraphBuilder g = new GraphBuilder("opt_embedding");
    g.input(INPUT_IDS, DataType.INT64, 1, "seq");
    g.input(POSITION_IDS, DataType.INT64, 1, "seq");
    String hidden = emit(g, "embedding/", weights, bits, INPUT_IDS, POSITION_IDS);
    g.node("Identity", HIDDEN, List.of(hidden));
    g.output(HIDDEN, DataType.FLOAT, 1, "seq", dims.hiddenSize());
    return g.build();
  }

  static String emit(GraphBuilder g, String p, OptWeights weights, int bits, String ids, String positions) {
    if (bits != WeightBits.FP32 && bits != WeightBits.FP16) {
      throw new IllegalArgumentException("the embedding is stored at 16 or 32 bits, not " + bits);
    }
    FloatTensor tokens = weights.get(OptWeights.EMBED_TOKENS);
    String tokenEmbedding;
    if (bits == WeightBits.FP16) {
      short[] halves = new short[tokens.data().length];
      for (int i = 0; i < halves.length; i++) {
        halves[i] = Half.fromFloat(tokens.data()[i]);
      }
      String table = g.halves(p + OptWeights.EMBED_TOKENS, tokens.shape(), halves);
      String gathered = g.node("Gather", p + "token_rows", List.of(table, ids), intAttribute("axis", 0));
      tokenEmbedding = g.node("Cast", p + "token_embedding", List.of(gathered), intAttribute("to", 1));
    } else {
      String table = g.floats(p + OptWeights.EMBED_TOKENS, tokens.shape(), tokens.data());
      tokenEmbedding = g.node("Gather", p + "token_embedding", List.of(table, ids), intAttribute("axis", 0));
    }
    if (weights.dimensions().projectsEmbedding()) {
      tokenEmbedding =
          LinearEmitter.emit(g, p + "project_in", tokenEmbedding, weights.get(OptWeights.PROJECT_IN), null, WeightBits.FP32);
    }
    FloatTensor positionTable = weights.get(OptWeights.EMBED_POSITIONS);
    String table = g.floats(p + OptWeights.EMBED_POSITIONS, positionTable.shape(), positionTable.data());
    String offset = g.node("Add", p + "position_rows", List.of(positions, g.longs(p + "position_offset", ModelDimensions.POSITION_OFFSET)));
    String positionEmbedding = g.node("Gather", p + "position_embedding", List.of(table, offset), intAttribute("axis", 0));
    return g.node("Add", p + "embedded", List.of(tokenEmbedding, positionEmbedding));
  }
}
