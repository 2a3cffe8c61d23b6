package io.dilemma.worker.model.format;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code manifest.json} of a model directory: what each ONNX file holds and its sha256, so a worker
 * loading a shard can verify every file it loads.
 *
 * @param formatVersion {@value #FORMAT_VERSION}; 2 (decoder blocks with a batch of 1) and {@value
 *     #OLDEST_READABLE_FORMAT_VERSION} (decoder blocks that also give back the whole KV cache, not
 *     only the new rows) still load
 * @param model human-readable name
 * @param maxGroupSize weights are packed in groups of this many inputs (fewer for narrow inputs)
 * @param embedding token + positional embedding graph
 * @param head final LayerNorm + LM head graph
 * @param layers per decoder layer, the bit widths present in this directory
 * @param tokenizer byte-level BPE files, null when the model has none
 * @param sha256 relative path → hex sha256 of every file above
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardManifest(
    int formatVersion,
    String model,
    ModelDimensions dimensions,
    int maxGroupSize,
    Part embedding,
    Part head,
    List<LayerParts> layers,
    TokenizerFiles tokenizer,
    Map<String, String> sha256) {

  /**
   * 3: decoder blocks take a batch of sessions (a leading {@code batch} dimension), so a decode
   * step over several sessions is one run with each session's past padded, not laid side by side.
   * 2: decoder blocks output only the step's new key/value rows.
   */
  public static final int FORMAT_VERSION = 3;

  public static final int OLDEST_READABLE_FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  /** One graph file at one weight bit width. */
  public record Part(int bits, String file) {}

  public record LayerParts(int index, List<Part> variants) {
    public Optional<Part> atBits(int bits) {
      return variants.stream().filter(v -> v.bits() == bits).findFirst();
    }

    public Optional<Part> master() {
      return variants.stream().filter(v -> v.bits() >= 16).max(java.util.Comparator.comparingInt(Part::bits));
    }
  }

  public static String layerFile(int layer, int bits) {
    return String.format("layers/layer-%03d-b%d.onnx", layer, bits);
  }

  public static String embeddingFile(int bits) {
    return "embedding-b" + bits + ".onnx";
  }

  public static String headFile(int bits) {
    return "head-b" + bits + ".onnx";
  }
}
