package io.dilemma.worker.model.format;

import static io.dilemma.worker.model.graph.GraphBuilder.intAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories written before the decoder blocks gave back only their new key/value rows (format
 * 1: the whole cache, past and new, came back every step) still load and decode the same.
 */
class FormatVersionOneTest {
  private static final ModelDimensions DIMS = OptPreset.OPT_TINY.dimensions();

  @TempDir Path dir;

  @Test
  void aFormatOneDirectoryDecodesExactlyAsTheCurrentFormat() throws Exception {
    Path current = dir.resolve("current");
    Path old = dir.resolve("old");
    ModelSynthesis.write(current, "tiny", DIMS, 5, List.of(32), l -> {});
    ModelSynthesis.write(old, "tiny", DIMS, 5, List.of(32), l -> {});
    rewriteAsFormatOne(old);
    assertThat(ModelDirectory.open(old).manifest().formatVersion()).isEqualTo(1);

    LayerSelection all = new LayerSelection(0, DIMS.layers() - 1, java.util.Collections.nCopies(DIMS.layers(), 32), true, true);
    try (ShardRunner a = ShardRunner.open(current, all);
        ShardRunner b = ShardRunner.open(old, all)) {
      assertThat(decode(b)).containsExactly(decode(a));
    }
  }

  @Test
  void aNewerFormatIsRefusedInOneLineNamingTheManifest() throws Exception {
    ModelSynthesis.write(dir, "tiny", DIMS, 5, List.of(32), l -> {});
    Path manifest = dir.resolve(ShardManifest.FILE_NAME);
    Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"formatVersion\"\\s*:\\s*3", "\"formatVersion\": 4"));
    assertThatThrownBy(() -> ModelDirectory.open(dir))
        .isInstanceOf(ModelException.class)
        .hasMessageStartingWith(manifest + ": format version 4 is newer than this shard-worker reads (up to 3)")
        .hasMessageNotContaining("\n");
  }

  /** Greedy decode of a prompt and 8 tokens; each step's last hidden value, to compare exactly. */
  private static float[] decode(ShardRunner runner) {
    long[] prompt = {2, 30, 31, 32};
    LayerStep step = runner.runLayers(runner.embed(prompt, 0), prompt.length, KvState.empty());
    float[] trace = new float[9];
    KvState kv = step.present();
    float[] logits = runner.lmHeadLastToken(step.hidden(), prompt.length);
    for (int t = 0; t < 9; t++) {
      trace[t] = logits[argmax(logits)];
      if (t == 8) {
        break;
      }
      step = runner.runLayers(runner.embed(new long[] {argmax(logits)}, prompt.length + t), 1, kv);
      kv = step.present();
      logits = runner.lmHeadLastToken(step.hidden(), 1);
    }
    return trace;
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      best = values[i] > values[best] ? i : best;
    }
    return best;
  }

  /** Replaces every layer graph with one in format 1's shape and marks the manifest format 1. */
  private static void rewriteAsFormatOne(Path root) throws Exception {
    ModelDirectory directory = ModelDirectory.open(root);
    OptWeights master = MasterWeightsReader.read(directory);
    ShardManifest manifest = directory.manifest();
    Map<String, String> hashes = new TreeMap<>(manifest.sha256());
    for (int layer = 0; layer < DIMS.layers(); layer++) {
      ModelDirectoryWriter.writeGraph(root, ShardManifest.layerFile(layer, 32), formatOneBlock(master.block(layer)), 32, hashes);
    }
    ModelDirectoryWriter.writeManifest(
        root,
        new ShardManifest(
            1, manifest.model(), manifest.dimensions(), manifest.maxGroupSize(), manifest.embedding(), manifest.head(), manifest.layers(),
            manifest.tokenizer(), hashes));
  }

  /** A decoder block as format 1 wrote it: {@code present_key}/{@code present_value} hold past and new rows. */
  private static OnnxMl.ModelProto formatOneBlock(Map<String, FloatTensor> block) {
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
    g.node("Identity", DecoderBlockGraph.PRESENT_KEY, List.of(ports.presentKey()));
    g.node("Identity", DecoderBlockGraph.PRESENT_VALUE, List.of(ports.presentValue()));
    g.node(
        "ReduceSum", DecoderBlockGraph.RECEIVED, List.of(ports.probs(), g.longs("received_axes", 1, 2)), intAttribute("keepdims", 0));
    g.output(DecoderBlockGraph.HIDDEN_OUT, DataType.FLOAT, 1, "seq", DIMS.hiddenSize());
    g.output(DecoderBlockGraph.PRESENT_KEY, DataType.FLOAT, 1, heads, "total", headDim);
    g.output(DecoderBlockGraph.PRESENT_VALUE, DataType.FLOAT, 1, heads, "total", headDim);
    g.output(DecoderBlockGraph.RECEIVED, DataType.FLOAT, 1, "total");
    return g.build();
  }
}
