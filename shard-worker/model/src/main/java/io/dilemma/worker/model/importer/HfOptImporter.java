package io.dilemma.worker.model.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.safetensors.SafetensorsReader;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a Hugging Face OPT checkpoint ({@code config.json} + {@code model.safetensors}) into {@link OptWeights}. */
public final class HfOptImporter {
  private HfOptImporter() {}

  public static ModelDimensions readConfig(Path configFile) throws ModelException {
    JsonNode config;
    try {
      config = ContractJson.mapper().readTree(configFile.toFile());
    } catch (IOException e) {
      throw new ModelException(configFile + ": not a readable JSON config: " + e.getMessage().lines().findFirst().orElse(""));
    }
    String activation = config.path("activation_function").asText("relu");
    if (!activation.equals("relu")) {
      throw new ModelException(configFile + ": activation_function " + activation + " is not supported (OPT uses relu)");
    }
    boolean preLayerNorm = config.path("do_layer_norm_before").asBoolean(true);
    if (preLayerNorm && config.path("_remove_final_layer_norm").asBoolean(false)) {
      throw new ModelException(configFile + ": _remove_final_layer_norm with pre-LN blocks is not supported");
    }
    int hidden = required(config, "hidden_size", configFile);
    try {
      return new ModelDimensions(
          required(config, "num_hidden_layers", configFile),
          hidden,
          config.path("word_embed_proj_dim").asInt(hidden),
          required(config, "num_attention_heads", configFile),
          required(config, "ffn_dim", configFile),
          required(config, "vocab_size", configFile),
          required(config, "max_position_embeddings", configFile),
          preLayerNorm);
    } catch (IllegalArgumentException e) {
      throw new ModelException(configFile + ": " + e.getMessage());
    }
  }

  private static int required(JsonNode config, String field, Path file) throws ModelException {
    JsonNode value = config.get(field);
    if (value == null || !value.canConvertToInt() || value.asInt() <= 0) {
      throw new ModelException(file + ": field " + field + " is missing or not a positive integer");
    }
    return value.asInt();
  }

  public static OptWeights read(Path configFile, Path safetensorsFile) throws ModelException {
    ModelDimensions dims = readConfig(configFile);
    Map<String, FloatTensor> raw = SafetensorsReader.read(safetensorsFile);
    Map<String, FloatTensor> byName = new LinkedHashMap<>();
    raw.forEach((name, tensor) -> byName.put(canonical(name), tensor));
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> expected : OptWeights.expectedShapes(dims).entrySet()) {
      FloatTensor tensor = byName.get(expected.getKey());
      if (tensor == null) {
        throw new ModelException(safetensorsFile + ": tensor " + expected.getKey() + " is missing");
      }
      if (!Arrays.equals(tensor.shape(), expected.getValue())) {
        throw new ModelException(
            safetensorsFile + ": tensor " + expected.getKey() + " has shape " + tensor.shapeText() + ", " + configFile.getFileName() + " implies " + Arrays.toString(expected.getValue()));
      }
      tensors.put(expected.getKey(), tensor);
    }
    return new OptWeights(dims, tensors);
  }

  /** Checkpoints name the decoder {@code model.decoder.}, {@code decoder.} or without prefix. */
  private static String canonical(String name) {
    if (name.startsWith(OptWeights.PREFIX)) {
      return name;
    }
    if (name.startsWith("decoder.")) {
      return "model." + name;
    }
    return name.startsWith("lm_head.") ? name : OptWeights.PREFIX + name;
  }
}
