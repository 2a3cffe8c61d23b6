package io.dilemma.worker.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.Half;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length, a JSON header mapping
 * each tensor name to its dtype, shape and byte range, then the raw data. F32, F16 and BF16 tensors
 * are widened to fp32.
 */
public final class SafetensorsReader {
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private SafetensorsReader() {}

  public static Map<String, FloatTensor> read(Path file) throws ModelException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 8) {
        throw new ModelException(file + ": truncated safetensors file (" + size + " bytes, no header length)");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
        throw new ModelException(
            file + ": truncated or corrupt safetensors file (header claims " + headerLength + " bytes, file has " + size + ")");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8);
      JsonNode header;
      try {
        header = ContractJson.mapper().readTree(headerBytes.array());
      } catch (IOException e) {
        throw new ModelException(file + ": safetensors header is not valid JSON");
      }
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (entry.getKey().equals("__metadata__")) {
          continue;
        }
        tensors.put(entry.getKey(), tensor(file, channel, entry.getKey(), entry.getValue(), dataStart, dataSize));
      }
      return tensors;
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage());
    }
  }

  private static FloatTensor tensor(Path file, FileChannel channel, String name, JsonNode info, long dataStart, long dataSize)
      throws ModelException, IOException {
    String dtype = info.path("dtype").asText();
    int elementBytes =
        switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default -> throw new ModelException(
              file + ": tensor " + name + " has dtype " + (dtype.isEmpty() ? "(none)" : dtype) + "; only F32, F16 and BF16 are supported");
        };
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelException(file + ": tensor " + name + " lacks a shape or data_offsets");
    }
    int[] shape = new int[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asInt();
      count *= shape[i];
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (end > dataSize) {
      throw new ModelException(
          file + ": truncated: tensor " + name + " needs data bytes " + begin + ".." + end + " but the file holds " + dataSize);
    }
    if (begin < 0 || end - begin != count * elementBytes) {
      throw new ModelException(
          file + ": tensor " + name + " spans " + (end - begin) + " bytes, its shape and dtype need " + count * elementBytes);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new ModelException(file + ": tensor " + name + " has " + count + " elements, more than one Java array holds");
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, bytes, dataStart + begin);
    bytes.flip();
    float[] data = new float[(int) count];
    switch (dtype) {
      case "F32" -> bytes.asFloatBuffer().get(data);
      case "F16" -> {
        for (int i = 0; i < data.length; i++) {
          data[i] = Half.toFloat(bytes.getShort());
        }
      }
      default -> {
        for (int i = 0; i < data.length; i++) {
          data[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
        }
      }
    }
    return new FloatTensor(shape, data);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      at += n;
    }
  }
}
