package io.dilemma.worker.model.weights;

import io.dilemma.worker.model.core.ModelDimensions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fp32 weights of an OPT model under Hugging Face's tensor names ({@code
 * model.decoder.layers.3.fc1.weight}), so synthesis, import and packing share one vocabulary.
 * Linear weights are {@code [out × in]} as in PyTorch.
 */
public final class OptWeights {
  public static final String PREFIX = "model.decoder.";
  public static final String EMBED_TOKENS = PREFIX + "embed_tokens.weight";
  public static final String EMBED_POSITIONS = PREFIX + "embed_positions.weight";
  public static final String PROJECT_IN = PREFIX + "project_in.weight";
  public static final String PROJECT_OUT = PREFIX + "project_out.weight";
  public static final String FINAL_NORM = PREFIX + "final_layer_norm";

  /** The linear layers of a block, in the order they run. */
  public static final List<String> BLOCK_LINEARS =
      List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "fc1", "fc2");

  public static final List<String> BLOCK_NORMS = List.of("self_attn_layer_norm", "final_layer_norm");

  private final ModelDimensions dimensions;
  private final Map<String, FloatTensor> tensors;

  public OptWeights(ModelDimensions dimensions, Map<String, FloatTensor> tensors) {
    this.dimensions = dimensions;
    this.tensors = new LinkedHashMap<>(tensors);
  }

  public ModelDimensions dimensions() {
    return dimensions;
  }

  public Map<String, FloatTensor> tensors() {
    return Map.copyOf(tensors);
  }

  public static String layerName(int layer, String part) {
    return PREFIX + "layers." + layer + "." + part;
  }

  public FloatTensor get(String name) {
    FloatTensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalStateException("weight " + name + " is missing");
    }
    return tensor;
  }

  public FloatTensor layer(int layer, String part) {
    return get(layerName(layer, part));
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** A copy of these weights where {@code name} is replaced, e.g. by its quantized reconstruction. */
  public OptWeights with(String name, FloatTensor tensor) {
    OptWeights copy = new OptWeights(dimensions, tensors);
    copy.tensors.put(name, tensor);
    return copy;
  }

  /** The tensors a block needs, with names relative to the block. */
  public Map<String, FloatTensor> block(int layer) {
    Map<String, FloatTensor> block = new LinkedHashMap<>();
    for (String linear : BLOCK_LINEARS) {
      block.put(linear + ".weight", layer(layer, linear + ".weight"));
      block.put(linear + ".bias", layer(layer, linear + ".bias"));
    }
    for (String norm : BLOCK_NORMS) {
      block.put(norm + ".weight", layer(layer, norm + ".weight"));
      block.put(norm + ".bias", layer(layer, norm + ".bias"));
    }
    return block;
  }

  /** Names of a block's tensors relative to the block ({@code fc1.weight}, ...). */
  public static List<String> block(ModelDimensions dims, int layer) {
    List<String> names = new java.util.ArrayList<>();
    for (String linear : BLOCK_LINEARS) {
      names.add(linear + ".weight");
      names.add(linear + ".bias");
    }
    for (String norm : BLOCK_NORMS) {
      names.add(norm + ".weight");
      names.add(norm + ".bias");
    }
    return names;
  }

  /** Every name a complete model of these dimensions must have, with its shape. */
  public static Map<String, int[]> expectedShapes(ModelDimensions dims) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    int d = dims.hiddenSize();
    shapes.put(EMBED_TOKENS, new int[] {dims.vocabSize(), dims.wordEmbedDim()});
    shapes.put(EMBED_POSITIONS, new int[] {dims.maxPositions() + ModelDimensions.POSITION_OFFSET, d});
    if (dims.projectsEmbedding()) {
      shapes.put(PROJECT_IN, new int[] {d, dims.wordEmbedDim()});
      shapes.put(PROJECT_OUT, new int[] {dims.wordEmbedDim(), d});
    }
    if (dims.preLayerNorm()) {
      shapes.put(FINAL_NORM + ".weight", new int[] {d});
      shapes.put(FINAL_NORM + ".bias", new int[] {d});
    }
    for (int layer = 0; layer < dims.layers(); layer++) {
      for (String part : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj")) {
        shapes.put(layerName(layer, part + ".weight"), new int[] {d, d});
        shapes.put(layerName(layer, part + ".bias"), new int[] {d});
      }
      shapes.put(layerName(layer, "fc1.weight"), new int[] {dims.ffnSize(), d});
      shapes.put(layerName(layer, "fc1.bias"), new int[] {dims.ffnSize()});
      shapes.put(layerName(layer, "fc2.weight"), new int[] {d, dims.ffnSize()});
      shapes.put(layerName(layer, "fc2.bias"), new int[] {d});
      for (String norm : BLOCK_NORMS) {
        shapes.put(layerName(layer, norm + ".weight"), new int[] {d});
        shapes.put(layerName(layer, norm + ".bias"), new int[] {d});
      }
    }
    return shapes;
  }
}
