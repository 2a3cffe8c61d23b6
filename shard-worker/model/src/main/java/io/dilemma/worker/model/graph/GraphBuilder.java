package io.dilemma.worker.model.graph;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Builds an ONNX graph node by node; names are scoped by a prefix so blocks can be chained. */
public final class GraphBuilder {
  static final int OPSET = 17;
  static final String MICROSOFT_DOMAIN = "com.microsoft";

  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
  private int nodeCounter;

  public GraphBuilder(String name) {
    graph.setName(name);
  }

  /** Adds a node with one output named {@code output} and returns that name. */
  public String node(String op, String output, List<String> inputs, AttributeProto... attributes) {
    nodes(op, "", inputs, List.of(output), attributes);
    return output;
  }

  public String microsoftNode(String op, String output, List<String> inputs, AttributeProto... attributes) {
    nodes(op, MICROSOFT_DOMAIN, inputs, List.of(output), attributes);
    return output;
  }

  private void nodes(String op, String domain, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    OnnxMl.NodeProto.Builder node =
        OnnxMl.NodeProto.newBuilder()
            .setOpType(op)
            .setName(op + "_" + nodeCounter++)
            .addAllInput(inputs)
            .addAllOutput(outputs)
            .addAllAttribute(Arrays.asList(attributes));
    if (!domain.isEmpty()) {
      node.setDomain(domain);
    }
    graph.addNode(node);
  }

  public String floats(String name, int[] shape, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return initializer(name, TensorProto.DataType.FLOAT, shape, bytes.array());
  }

  public String halves(String name, int[] shape, short[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asShortBuffer().put(values);
    return initializer(name, TensorProto.DataType.FLOAT16, shape, bytes.array());
  }

  public String longs(String name, long... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return initializer(name, TensorProto.DataType.INT64, new int[] {values.length}, bytes.array());
  }

  public String scalar(String name, float value) {
    ByteBuffer bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
    return initializer(name, TensorProto.DataType.FLOAT, new int[0], bytes.array());
  }

  public String bytes(String name, int[] shape, byte[] values) {
    return initializer(name, TensorProto.DataType.UINT8, shape, values);
  }

  private String initializer(String name, TensorProto.DataType type, int[] shape, byte[] raw) {
    TensorProto.Builder tensor =
        TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(ByteString.copyFrom(raw));
    for (int dim : shape) {
      tensor.addDims(dim);
    }
    graph.addInitializer(tensor);
    return name;
  }

  /** A graph input or output; a dimension is an Integer (fixed) or a String (symbolic). */
  private static OnnxMl.ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (Object dim : dims) {
      OnnxMl.TensorShapeProto.Dimension.Builder d = OnnxMl.TensorShapeProto.Dimension.newBuilder();
      if (dim instanceof Integer fixed) {
        d.setDimValue(fixed);
      } else {
        d.setDimParam((String) dim);
      }
      shape.addDim(d);
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  public void input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(name, type, dims));
  }

  public void output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(valueInfo(name, type, dims));
  }

  public OnnxMl.ModelProto build() {
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("dilemma-shard-model")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(MICROSOFT_DOMAIN).setVersion(1))
        .setGraph(graph)
        .build();
  }

  public static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  public static AttributeProto floatAttribute(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto intsAttribute(String name, long... values) {
    AttributeProto.Builder attribute =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      attribute.addInts(v);
    }
    return attribute.build();
  }
}
