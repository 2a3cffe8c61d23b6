package io.dilemma.worker.model.format;

import ai.onnx.proto.OnnxMl;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.format.ShardManifest.LayerParts;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.graph.DecoderBlockGraph;
import io.dilemma.worker.model.graph.EmbeddingGraph;
import io.dilemma.worker.model.graph.HeadGraph;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import io.dilemma.worker.model.weights.GroupQuantizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/** Writes a model directory: one graph per part at the requested bit widths, then the manifest. */
public final class ModelDirectoryWriter {
  private ModelDirectoryWriter() {}

  /**
   * @param layerBits for each layer, the bit widths to write (several variants may coexist)
   * @param tokenizer tokenizer files already in {@code dir}, or null
   * @param progress called with each layer index once written
   */
  public static ShardManifest write(
      Path dir,
      String name,
      OptWeights weights,
      List<List<Integer>> layerBits,
      int embeddingBits,
      int headBits,
      TokenizerFiles tokenizer,
      IntConsumer progress)
      throws IOException {
    Files.createDirectories(dir.resolve("layers"));
    Map<String, String> hashes = new TreeMap<>();
    Part embedding = writeGraph(dir, ShardManifest.embeddingFile(embeddingBits), EmbeddingGraph.build(weights, embeddingBits), embeddingBits, hashes);
    Part head = writeGraph(dir, ShardManifest.headFile(headBits), HeadGraph.build(weights, headBits), headBits, hashes);
    List<LayerParts> layers = new ArrayList<>();
    for (int layer = 0; layer < weights.dimensions().layers(); layer++) {
      List<Part> variants = new ArrayList<>();
      for (int bits : layerBits.get(layer)) {
        OnnxMl.ModelProto graph = DecoderBlockGraph.build(weights.dimensions(), weights.block(layer), bits);
        variants.add(writeGraph(dir, ShardManifest.layerFile(layer, bits), graph, bits, hashes));
      }
      layers.add(new LayerParts(layer, variants));
      progress.accept(layer);
    }
    if (tokenizer != null) {
      hashes.put(tokenizer.vocab(), FileHashes.sha256(dir.resolve(tokenizer.vocab())));
      hashes.put(tokenizer.merges(), FileHashes.sha256(dir.resolve(tokenizer.merges())));
    }
    ShardManifest manifest =
        new ShardManifest(
            ShardManifest.FORMAT_VERSION,
            name,
            weights.dimensions(),
            GroupQuantizer.MAX_GROUP_SIZE,
            embedding,
            head,
            layers,
            tokenizer,
            hashes);
    writeManifest(dir, manifest);
    return manifest;
  }

  public static void writeManifest(Path dir, ShardManifest manifest) throws IOException {
    Files.writeString(dir.resolve(ShardManifest.FILE_NAME), ContractJson.write(manifest));
  }

  static Part writeGraph(Path dir, String file, OnnxMl.ModelProto graph, int bits, Map<String, String> hashes)
      throws IOException {
    Path target = dir.resolve(file);
    Files.createDirectories(target.getParent());
    try (OutputStream out = Files.newOutputStream(target)) {
      graph.writeTo(out);
    }
    hashes.put(file, FileHashes.sha256(target));
    return new Part(bits, file);
  }
}
