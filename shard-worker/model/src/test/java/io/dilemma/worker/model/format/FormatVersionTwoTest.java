package io.dilemma.worker.model.format;

import static io.dilemma.worker.model.graph.GraphBuilder.intAttribute;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.graph.DecoderBlockGraph;
import io.dilemma.worker.model.graph.GraphBuilder;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.LayerStep;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories written before the decoder blocks had a batch dimension (format 2: batch fixed to 1)
 * still load, and decode a batch of sessions side by side, each as it would alone and as the
 * current format decodes it in its batch dimension.
 */
class FormatVersionTwoTest {
  private static final ModelDimensions DIMS = OptPreset.OPT_TINY.dimensions();
  private static final long[][] PROMPTS = {{2, 40, 41}, {2, 50, 51, 52, 53, 54, 55}, {2, 60}};

  @TempDir Path dir;

  @Test
  void aFormatTwoDirectoryDecodesABatchAsTheCurrentFormatDoes() throws Exception {
    Path current = dir.resolve("current");
    Path old = dir.resolve("old");
    ModelSynthesis.write(current, "tiny", DIMS, 5, List.of(32), l -> {});
    ModelSynthesis.write(old, "tiny", DIMS, 5, List.of(32), l -> {});
    rewriteAsFormatTwo(old);
    assertThat(ModelDirectory.open(old).manifest().formatVersion()).isEqualTo(2);
    assertThat(ModelDirectory.open(current).manifest().formatVersion()).isEqualTo(ShardManifest.FORMAT_VERSION);

    LayerSelection all = new LayerSelection(0, DIMS.layers() - 1, Collections.nCopies(DIMS.layers(), 32), true, true);
    try (ShardRunner a = ShardRunner.open(current, all);
        ShardRunner b = ShardRunner.open(old, all)) {
      assertThat(a.decodesInABatchDimension()).isTrue();
      assertThat(b.decodesInABatchDimension()).isFalse();
      float[][] fromCurrent = decodeThreeSteps(a);
      float[][] fromOld = decodeThreeSteps(b);
      for (int s = 0; s < PROMPTS.length; s++) {
        assertThat(fromOld[s]).as("session %d", s).hasSameSizeAs(fromCurrent[s]);
        for (int i = 0; i < fromOld[s].length; i++) {
          assertThat(fromOld[s][i]).as("session %d logit %d", s, i).isCloseTo(fromCurrent[s][i], Offset.offset(1e-4f));
        }
      }
    }
  }

  /** Each session's prompt alone, then three batched decode steps of all sessions; the last step's logits per session. */
  private static float[][] decodeThreeSteps(ShardRunner runner) {
    KvState[] kv = new KvState[PROMPTS.length];
    for (int s = 0; s < PROMPTS.length; s++) {
      kv[s] = runner.runLayers(runner.embed(PROMPTS[s], 0), PROMPTS[s].length, KvState.empty()).present();
    }
    float[][] logits = new float[PROMPTS.length][];
    for (int t = 0; t < 3; t++) {
      float[][] hidden = new float[PROMPTS.length][];
      for (int s = 0; s < PROMPTS.length; s++) {
        hidden[s] = runner.embed(new long[] {7 + s + t}, PROMPTS[s].length + t);
      }
      LayerStep[] steps = runner.runLayersBatch(hidden, kv);
      for (int s = 0; s < PROMPTS.length; s++) {
        kv[s] = steps[s].present();
        logits[s] = runner.lmHeadLastToken(steps[s].hidden(), 1);
      }
    }
    return logits;
  }

  /** Replaces every layer graph with one in format 2's shape and marks the manifest format 2. */
  private static void rewriteAsFormatTwo(Path root) throws Exception {
    ModelDirectory directory = ModelDirectory.open(root);
    OptWeights master = MasterWeightsReader.read(directory);
    ShardManifest manifest = directory.manifest();
    Map<String, String> hashes = new TreeMap<>(manifest.sha256());
    for (int layer = 0; layer < DIMS.layers(); layer++) {
      ModelDirectoryWriter.writeGraph(root, ShardManifest.layerFile(layer, 32), formatTwoBlock(master.block(layer)), 32, hashes);
    }
    ModelDirectoryWriter.writeManifest(
        root,
        new ShardManifest(
            2, manifest.model(), manifest.dimensions(), manifest.maxGroupSize(), manifest.embedding(), manifest.head(), manifest.layers(),
            manifest.tokenizer(), hashes));
  }

  /** A decoder block as format 2 wrote it: new rows only, batch dimension fixed to 1. */
  private static OnnxMl.ModelProto formatTwoBlock(Map<String, FloatTensor> block) {
    GraphBuilder g = new GraphBuilder("opt_decoder_block");
    int heads = DIMS.heads();
    int headDim = DIMS.headDim();
    g.input(DecoderBlockGraph.HIDDEN, DataType.FLOAT, 1, "seq", DIMS.hiddenSize());
    g.input(DecoderBlockGraph.PAST_KEY, DataType.FLOAT, 1, heads, "past", headDim);
    g.input(DecoderBlockGraph.PAST_VALUE, DataType.FLOAT, 1, heads, "past", headDim);
    g.input(DecoderBlockGraph.MASK, DataType.FLOAT, 1, 1, "seq", "total");
    DecoderBlockGraph.Ports ports =
        DecoderBlockGraph.emit(
            g, "block/", DIMS, block, 32, DecoderBlockGraph.HIDDEN, DecoderBlockGraph.PAST_KEY, DecoderBlockGraph.PAST_VALUE,
            DecoderBlockGraph.MASK);
    g.node("Identity", DecoderBlockGraph.HIDDEN_OUT, List.of(ports.hidden()));
    g.node("Identity", DecoderBlockGraph.NEW_KEY, List.of(ports.newKey()));
    g.node("Identity", DecoderBlockGraph.NEW_VALUE, List.of(ports.newValue()));
    g.node("Identity", DecoderBlockGraph.PROBS, List.of(ports.probs()));
    g.node(
        "ReduceSum", DecoderBlockGraph.RECEIVED, List.of(ports.probs(), g.longs("received_axes", 1, 2)), intAttribute("keepdims", 0));
    g.output(DecoderBlockGraph.HIDDEN_OUT, DataType.FLOAT, 1, "seq", DIMS.hiddenSize());
    g.output(DecoderBlockGraph.NEW_KEY, DataType.FLOAT, 1, heads, "seq", headDim);
    g.output(DecoderBlockGraph.NEW_VALUE, DataType.FLOAT, 1, heads, "seq", headDim);
    g.output(DecoderBlockGraph.PROBS, DataType.FLOAT, 1, heads, "seq", "total");
    g.output(DecoderBlockGraph.RECEIVED, DataType.FLOAT, 1, "total");
    return g.build();
  }
}
