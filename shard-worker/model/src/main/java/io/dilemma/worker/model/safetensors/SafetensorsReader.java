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
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
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
      return read(file.toString(), channel);
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** Reads from any channel, so that the fuzz target needs no file; {@code file} names it in errors. */
  static Map<String, FloatTensor> read(String file, SeekableByteChannel channel) throws ModelException {
    try {
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
      List<Entry> entries = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getKey().equals("__metadata__")) {
          entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
        }
      }
      refuseSharedBytes(file, entries);
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      for (Entry entry : entries) {
        tensors.put(entry.name(), tensor(channel, entry, dataStart));
      }
      return tensors;
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** One tensor as the header describes it, checked against the data the file holds. */
  private record Entry(String name, String dtype, int[] shape, int count, long begin, long end) {}

  private static Entry entry(String file, String name, JsonNode info, long dataSize) throws ModelException {
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
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isIntegralNumber() || !dim.canConvertToInt()) {
        throw new ModelException(file + ": tensor " + name + " has a shape that is not a list of whole numbers");
      }
      shape[i] = dim.asInt();
      if (shape[i] < 0) {
        throw new ModelException(file + ": tensor " + name + " has a negative dimension in its shape " + shapeNode);
      }
    }
    // in long, the product of non-negative ints stays exact while it fits one Java array
    long count = 1;
    for (int dim : shape) {
      count *= dim;
      if (count > Integer.MAX_VALUE - 8) {
        throw new ModelException(file + ": tensor " + name + " has shape " + shapeNode + ", more elements than one Java array holds");
      }
    }
    if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
        || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
      throw new ModelException(file + ": tensor " + name + " has data_offsets that are not whole numbers");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new ModelException(file + ": tensor " + name + " has data_offsets " + offsets + ", not a range of bytes");
    }
    if (end > dataSize) {
      throw new ModelException(
          file + ": truncated: tensor " + name + " needs data bytes " + begin + ".." + end + " but the file holds " + dataSize);
    }
    if (end - begin != count * elementBytes) {
      throw new ModelException(
          file + ": tensor " + name + " spans " + (end - begin) + " bytes, its shape and dtype need " + count * elementBytes);
    }
    if (end - begin > Integer.MAX_VALUE - 8) {
      throw new ModelException(file + ": tensor " + name + " spans " + (end - begin) + " bytes, more than one read buffer holds");
    }
    return new Entry(name, dtype, shape, (int) count, begin, end);
  }

  /** Tensors sharing bytes would let a small file claim far more memory than it holds. */
  private static void refuseSharedBytes(String file, List<Entry> entries) throws ModelException {
    List<Entry> byStart = entries.stream().filter(e -> e.end() > e.begin()).sorted(Comparator.comparingLong(Entry::begin)).toList();
    for (int i = 1; i < byStart.size(); i++) {
      Entry previous = byStart.get(i - 1);
      Entry next = byStart.get(i);
      if (next.begin() < previous.end()) {
        throw new ModelException(
            file + ": tensors " + previous.name() + " and " + next.name() + " share data bytes "
                + next.begin() + ".." + Math.min(previous.end(), next.end()));
      }
    }
  }

  private static FloatTensor tensor(SeekableByteChannel channel, Entry entry, long dataStart) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate((int) (entry.end() - entry.begin())).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, bytes, dataStart + entry.begin());
    bytes.flip();
    float[] data = new float[entry.count()];
    switch (entry.dtype()) {
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
    return new FloatTensor(entry.shape(), data);
  }

  private static void readFully(SeekableByteChannel channel, ByteBuffer buffer, long position) throws IOException {
    channel.position(position);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
