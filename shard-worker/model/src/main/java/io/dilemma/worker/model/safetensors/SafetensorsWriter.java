package io.dilemma.worker.model.safetensors;

import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.weights.FloatTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes fp32 tensors as {@code .safetensors}, e.g. to export synthesised weights for import tests. */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  public static void write(Path file, Map<String, FloatTensor> tensors) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, FloatTensor> entry : tensors.entrySet()) {
      long bytes = 4L * entry.getValue().data().length;
      header.put(
          entry.getKey(),
          Map.of("dtype", "F32", "shape", entry.getValue().shape(), "data_offsets", List.of(offset, offset + bytes)));
      offset += bytes;
    }
    byte[] json = ContractJson.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      out.write(json);
      for (FloatTensor tensor : tensors.values()) {
        ByteBuffer data = ByteBuffer.allocate(4 * tensor.data().length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(tensor.data());
        out.write(data.array());
      }
    }
  }
}
