package io.dilemma.worker.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.weights.FloatTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader's refusals of headers that lie about their data. */
class SafetensorsReaderTest {
  @TempDir Path dir;

  private Path file(String header, int dataBytes) throws Exception {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
    out.write(json);
    out.write(new byte[dataBytes]);
    Path file = dir.resolve("model.safetensors");
    Files.write(file, out.toByteArray());
    return file;
  }

  @Test
  void readsWhatTheWriterWrote() throws Exception {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("a", new FloatTensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    tensors.put("b", new FloatTensor(new int[] {1}, new float[] {-0.5f}));
    Path file = dir.resolve("w.safetensors");
    SafetensorsWriter.write(file, tensors);
    Map<String, FloatTensor> read = SafetensorsReader.read(file);
    assertThat(read.keySet()).containsExactly("a", "b");
    assertThat(read.get("a").data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(read.get("b").shape()).containsExactly(1);
  }

  /** Shape [-1] with offsets 0..-4 used to pass the size check and fail the allocation. */
  @Test
  void aNegativeDimensionIsRefused() throws Exception {
    Path file = file("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,-4]}}", 0);
    assertThatThrownBy(() -> SafetensorsReader.read(file))
        .isInstanceOf(ModelException.class)
        .hasMessage(file + ": tensor t has a negative dimension in its shape [-1]");
  }

  /** Two negative dimensions multiply to a positive count, which the size check alone let through. */
  @Test
  void twoNegativeDimensionsAreRefusedToo() throws Exception {
    Path file = file("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1,-1],\"data_offsets\":[0,4]}}", 4);
    assertThatThrownBy(() -> SafetensorsReader.read(file)).hasMessageContaining("negative dimension");
  }

  /** Tensors sharing bytes would let a small file claim far more memory than it holds. */
  @Test
  void overlappingTensorsAreRefused() throws Exception {
    Path file =
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
    assertThatThrownBy(() -> SafetensorsReader.read(file))
        .hasMessage(file + ": tensors a and b share data bytes 0..16");
  }

  @Test
  void aShapeOfNonIntegersIsRefused() throws Exception {
    Path file = file("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"x\"],\"data_offsets\":[0,0]}}", 0);
    assertThatThrownBy(() -> SafetensorsReader.read(file)).hasMessage(file + ": tensor t has a shape that is not a list of whole numbers");
  }
}
