package io.dilemma.worker.model.format;

import ai.onnx.proto.OnnxMl;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.graph.LinearEmitter;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.Half;
import io.dilemma.worker.model.weights.OptWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a model directory's unpacked (fp32 or fp16) graphs back into {@link OptWeights}, the
 * source {@code pack} and {@code profile} quantize from.
 */
public final class MasterWeightsReader {
  private MasterWeightsReader() {}

  public static OptWeights read(ModelDirectory directory) throws ModelException {
    ShardManifest manifest = directory.manifest();
    ModelDimensions dims = manifest.dimensions();
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    Map<String, FloatTensor> embedding = initializers(directory, manifest.embedding(), "embedding/");
    copy(embedding, OptWeights.EMBED_TOKENS, OptWeights.EMBED_TOKENS, tensors, directory, manifest.embedding());
    copy(embedding, OptWeights.EMBED_POSITIONS, OptWeights.EMBED_POSITIONS, tensors, directory, manifest.embedding());
    if (dims.projectsEmbedding()) {
      copy(embedding, "project_in.weight", OptWeights.PROJECT_IN, tensors, directory, manifest.embedding());
      Map<String, FloatTensor> head = initializers(directory, manifest.head(), "head/");
      copy(head, "project_out.weight", OptWeights.PROJECT_OUT, tensors, directory, manifest.head());
    }
    if (dims.preLayerNorm()) {
      Map<String, FloatTensor> head = initializers(directory, manifest.head(), "head/");
      for (String suffix : new String[] {".weight", ".bias"}) {
        copy(head, OptWeights.FINAL_NORM + suffix, OptWeights.FINAL_NORM + suffix, tensors, directory, manifest.head());
      }
    }
    for (int layer = 0; layer < dims.layers(); layer++) {
      int index = layer;
      ShardManifest.LayerParts parts = directory.layerParts(layer);
      Part master =
          parts.master()
              .orElseThrow(
                  () ->
                      new ModelException(
                          directory.manifestFile() + ": layer " + index + " has only packed files; repacking needs its 16- or 32-bit master"));
      Map<String, FloatTensor> block = initializers(directory, master, "block/");
      for (String name : OptWeights.block(dims, layer)) {
        copy(block, name, OptWeights.layerName(layer, name), tensors, directory, master);
      }
    }
    return new OptWeights(dims, tensors);
  }

  private static void copy(
      Map<String, FloatTensor> from, String local, String global, Map<String, FloatTensor> to, ModelDirectory directory, Part part)
      throws ModelException {
    FloatTensor tensor = from.get(local);
    if (tensor == null) {
      throw new ModelException(directory.root().resolve(part.file()) + ": has no weight " + local);
    }
    to.put(global, tensor);
  }

  /** Initializers of a verified graph by local name; {@code .weight_t} matrices come back as {@code .weight}. */
  static Map<String, FloatTensor> initializers(ModelDirectory directory, Part part, String prefix) throws ModelException {
    Path file = directory.verified(part);
    OnnxMl.ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      model = OnnxMl.ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new ModelException(file + ": not a readable ONNX graph: " + e.getMessage());
    }
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (OnnxMl.TensorProto initializer : model.getGraph().getInitializerList()) {
      String name = initializer.getName();
      if (!name.startsWith(prefix)) {
        continue;
      }
      name = name.substring(prefix.length());
      FloatTensor tensor = toFloats(initializer);
      if (tensor == null) {
        continue;
      }
      if (name.endsWith(LinearEmitter.TRANSPOSED)) {
        tensors.put(name.substring(0, name.length() - LinearEmitter.TRANSPOSED.length()) + ".weight", tensor.transposed());
      } else {
        tensors.put(name, tensor);
      }
    }
    return tensors;
  }

  private static FloatTensor toFloats(OnnxMl.TensorProto tensor) {
    int[] shape = tensor.getDimsList().stream().mapToInt(Long::intValue).toArray();
    ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (tensor.getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
      float[] data = new float[raw.remaining() / 4];
      raw.asFloatBuffer().get(data);
      return new FloatTensor(shape, data);
    }
    if (tensor.getDataType() == OnnxMl.TensorProto.DataType.FLOAT16.getNumber()) {
      float[] data = new float[raw.remaining() / 2];
      for (int i = 0; i < data.length; i++) {
        data[i] = Half.toFloat(raw.getShort());
      }
      return new FloatTensor(shape, data);
    }
    return null;
  }
}
