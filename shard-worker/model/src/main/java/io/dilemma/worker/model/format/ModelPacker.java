package io.dilemma.worker.model.format;

import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ShardManifest.LayerParts;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.graph.DecoderBlockGraph;
import io.dilemma.worker.model.graph.EmbeddingGraph;
import io.dilemma.worker.model.graph.HeadGraph;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import io.dilemma.worker.model.weights.OptWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * Re-packs a model's layers at the bit widths a plan asks for, quantizing from the 16/32-bit
 * master graphs.
 */
public final class ModelPacker {
  private ModelPacker() {}

  /**
   * Adds a {@code layerBits.get(i)}-bit file for every layer {@code i} next to the existing ones
   * (and a head at {@code headBits} if given, replacing the old head), then rewrites the manifest,
   * at the current format version: the new files are in it (older files stay readable by it).
   */
  public static ShardManifest packInPlace(ModelDirectory directory, List<Integer> layerBits, Integer headBits, IntConsumer progress)
      throws ModelException, IOException {
    return packInPlace(directory, layerBits, headBits, null, progress);
  }

  /** As above, also replacing the embedding with one stored at {@code embeddingBits} (16 or 32) if given. */
  public static ShardManifest packInPlace(
      ModelDirectory directory, List<Integer> layerBits, Integer headBits, Integer embeddingBits, IntConsumer progress)
      throws ModelException, IOException {
    OptWeights master = MasterWeightsReader.read(directory);
    ShardManifest manifest = directory.manifest();
    Map<String, String> hashes = new TreeMap<>(manifest.sha256());
    List<LayerParts> layers = new ArrayList<>();
    for (int layer = 0; layer < master.dimensions().layers(); layer++) {
      int bits = layerBits.get(layer);
      LayerParts parts = manifest.layers().get(layer);
      List<Part> variants = new ArrayList<>(parts.variants());
      if (parts.atBits(bits).isEmpty()) {
        variants.add(
            ModelDirectoryWriter.writeGraph(
                directory.root(), ShardManifest.layerFile(layer, bits), DecoderBlockGraph.build(master.dimensions(), master.block(layer), bits), bits, hashes));
      }
      layers.add(new LayerParts(layer, variants));
      progress.accept(layer);
    }
    Part head = manifest.head();
    if (headBits != null && headBits != head.bits()) {
      head = ModelDirectoryWriter.writeGraph(directory.root(), ShardManifest.headFile(headBits), HeadGraph.build(master, headBits), headBits, hashes);
      hashes.remove(manifest.head().file());
      Files.deleteIfExists(directory.root().resolve(manifest.head().file()));
    }
    Part embedding = manifest.embedding();
    if (embeddingBits != null && embeddingBits != embedding.bits()) {
      embedding =
          ModelDirectoryWriter.writeGraph(
              directory.root(), ShardManifest.embeddingFile(embeddingBits), EmbeddingGraph.build(master, embeddingBits), embeddingBits, hashes);
      hashes.remove(manifest.embedding().file());
      Files.deleteIfExists(directory.root().resolve(manifest.embedding().file()));
    }
    ShardManifest packed =
        new ShardManifest(
            ShardManifest.FORMAT_VERSION, manifest.model(), manifest.dimensions(), manifest.maxGroupSize(), embedding, head, layers, manifest.tokenizer(), hashes);
    ModelDirectoryWriter.writeManifest(directory.root(), packed);
    return packed;
  }

  /**
   * Writes a new directory holding exactly one file per layer at the requested width: what a
   * worker deploys. The tokenizer is copied along.
   */
  public static ShardManifest packInto(
      ModelDirectory directory, Path out, List<Integer> layerBits, int embeddingBits, int headBits, IntConsumer progress)
      throws ModelException, IOException {
    if (out.toAbsolutePath().normalize().equals(directory.root().toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must differ from the source model directory (omit it to pack in place)");
    }
    OptWeights master = MasterWeightsReader.read(directory);
    Files.createDirectories(out);
    TokenizerFiles tokenizer = directory.manifest().tokenizer();
    if (tokenizer != null) {
      for (String file : List.of(tokenizer.vocab(), tokenizer.merges())) {
        Files.copy(directory.root().resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<List<Integer>> variants = layerBits.stream().map(List::of).toList();
    return ModelDirectoryWriter.write(out, directory.manifest().model(), master, variants, embeddingBits, headBits, tokenizer, progress);
  }
}
