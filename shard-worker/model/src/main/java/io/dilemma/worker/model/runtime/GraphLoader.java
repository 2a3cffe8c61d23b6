package io.dilemma.worker.model.runtime;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.graph.LinearEmitter;
import io.dilemma.worker.model.weights.PackedMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates ONNX Runtime sessions for shard files. Most files are handed to ORT by path, so their
 * weights never pass through the Java heap. 2- and 3-bit files are the exception: ORT 1.29's CPU
 * MatMulNBits rejects 3 bits and runs 2 bits through a dequantize-every-call fallback (0.4
 * tokens/s on OPT-125m against 28 at 4 bits), so their codes are widened to 4 bits here before
 * the session is built. They save disk and transfer, and are resident like 4 bits.
 */
final class GraphLoader {
  private GraphLoader() {}

  static OrtSession load(Path file, int bits) throws ModelException {
    try {
      if (bits != 2 && bits != 3) {
        return OrtSessions.create(file.toString());
      }
      return OrtSessions.create(widenNarrowWeights(file).toByteArray());
    } catch (OrtException e) {
      throw new ModelException(file + ": ONNX Runtime cannot load it: " + oneLine(e.getMessage()));
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + oneLine(e.getMessage()));
    }
  }

  static OnnxMl.ModelProto widenNarrowWeights(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return widenNarrowWeights(OnnxMl.ModelProto.parseFrom(in));
    }
  }

  /** Builds a session from a graph in memory (the profiler's quantized variants). */
  static OrtSession load(OnnxMl.ModelProto model) {
    try {
      return OrtSessions.create(widenNarrowWeights(model).toByteArray());
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime rejected a generated graph: " + oneLine(e.getMessage()), e);
    }
  }

  static OnnxMl.ModelProto widenNarrowWeights(OnnxMl.ModelProto model) {
    OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
    for (OnnxMl.NodeProto.Builder node : graph.getNodeBuilderList()) {
      long bits = node.getOpType().equals("MatMulNBits") ? attribute(node, "bits") : 0;
      if (bits != 2 && bits != 3) {
        continue;
      }
      String codesName = node.getInput(1);
      for (OnnxMl.TensorProto.Builder tensor : graph.getInitializerBuilderList()) {
        if (tensor.getName().equals(codesName)) {
          int rows = (int) attribute(node, "N");
          int columns = (int) attribute(node, "K");
          int groupSize = (int) attribute(node, "block_size");
          PackedMatrix wide =
              new PackedMatrix(rows, columns, (int) bits, groupSize, tensor.getRawData().toByteArray(), new short[0])
                  .widenTo4Bits();
          tensor.setRawData(ByteString.copyFrom(wide.codes()));
          tensor.setDims(2, wide.groupBytes());
        }
      }
      for (OnnxMl.AttributeProto.Builder a : node.getAttributeBuilderList()) {
        if (a.getName().equals("bits")) {
          a.setI(4);
        }
        if (a.getName().equals("accuracy_level")) {
          a.setI(LinearEmitter.accuracyLevel(4));
        }
      }
    }
    return model.toBuilder().setGraph(graph).build();
  }

  private static long attribute(OnnxMl.NodeProtoOrBuilder node, String name) {
    return node.getAttributeList().stream()
        .filter(a -> a.getName().equals(name))
        .findFirst()
        .map(OnnxMl.AttributeProto::getI)
        .orElseThrow(() -> new IllegalStateException("MatMulNBits without attribute " + name));
  }

  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
