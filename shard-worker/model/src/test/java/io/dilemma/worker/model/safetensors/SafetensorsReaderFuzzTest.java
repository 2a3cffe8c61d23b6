package io.dilemma.worker.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.weights.FloatTensor;
import java.util.Map;

/**
 * {@code import} reads checkpoints downloaded from anywhere: whatever the bytes of a {@code
 * .safetensors} file, the reader either returns tensors whose shapes match their data, drawn from
 * bytes the file holds, or refuses with a one-line {@link ModelException} naming the file. It never
 * allocates more than the file's data can fill (no two tensors share bytes). A normal build replays
 * the seeds in src/test/resources/.../SafetensorsReaderFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class SafetensorsReaderFuzzTest {
  private static final String FILE = "fuzzed.safetensors";

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"\"shape\"", "\"data_offsets\"", "\"dtype\"", "\"F32\"", "\"F16\"", "\"BF16\"", "-1", "[0,", "]}"})
  void readsOrRejectsAnyFile(byte[] input) {
    Map<String, FloatTensor> tensors;
    try {
      tensors = SafetensorsReader.read(FILE, new ByteArrayChannel(input));
    } catch (ModelException refused) {
      assertThat(refused.getMessage()).startsWith(FILE + ": ").doesNotContain("\n");
      return;
    }
    long values = 0;
    for (FloatTensor tensor : tensors.values()) {
      long size = 1;
      for (int dim : tensor.shape()) {
        assertThat(dim).isNotNegative();
        size *= dim;
      }
      assertThat(tensor.data()).hasSize((int) size);
      values += size;
    }
    // every value comes from at least two bytes of the file's data
    assertThat(2 * values).isLessThanOrEqualTo(input.length);
  }
}
