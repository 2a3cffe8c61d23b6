package io.dilemma.worker.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.ExitCode;
import io.dilemma.worker.model.safetensors.SafetensorsWriter;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input ends in one line naming the file and the problem, exit code 2, no stack trace. */
class BadInputTest {
  @TempDir Path dir;
  Path checkpoint;

  @BeforeEach
  void writeCheckpoint() throws Exception {
    checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
    Files.writeString(checkpoint.resolve("config.json"), ImportTest.TINY_CONFIG);
  }

  private static void assertOneLineError(CliRunner result, String... fragments) {
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.BAD_INPUT);
    String error = result.errorLines();
    assertThat(error).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ").startsWith("model-tools ");
    assertThat(error).contains(fragments);
  }

  @Test
  void truncatedSafetensors() throws Exception {
    Path file = checkpoint.resolve("model.safetensors");
    SafetensorsWriter.write(file, new WeightSynthesizer(1).synthesize(OptPreset.OPT_TINY.dimensions()).tensors());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    assertOneLineError(CliRunner.run("import", "--checkpoint", checkpoint.toString(), "--out", dir.resolve("out").toString()), file.toString(), "truncated");
  }

  @Test
  void wrongDtype() throws Exception {
    Path file = checkpoint.resolve("model.safetensors");
    byte[] header =
        "{\"model.decoder.embed_tokens.weight\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}".getBytes(StandardCharsets.UTF_8);
    Files.write(file, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    Files.write(file, header, StandardOpenOption.APPEND);
    Files.write(file, new byte[] {1, 2}, StandardOpenOption.APPEND);
    assertOneLineError(
        CliRunner.run("import", "--checkpoint", checkpoint.toString(), "--out", dir.resolve("out").toString()),
        file.toString(), "dtype I8", "embed_tokens");
  }

  @Test
  void manifestHashMismatch() throws Exception {
    Path model = synthTiny();
    Path layer = model.resolve("layers/layer-002-b32.onnx");
    byte[] bytes = Files.readAllBytes(layer);
    bytes[bytes.length - 1] ^= 1;
    Files.write(layer, bytes);
    assertOneLineError(CliRunner.run("generate", "--model", model.toString(), "--tokens", "2,5"), layer.toString(), "sha256", "does not match");
  }

  @Test
  void missingLayerFile() throws Exception {
    Path model = synthTiny();
    Path layer = model.resolve("layers/layer-001-b32.onnx");
    Files.delete(layer);
    assertOneLineError(CliRunner.run("generate", "--model", model.toString(), "--tokens", "2,5"), layer.toString(), "missing");
  }

  @Test
  void layerBitWidthThatWasNeverPacked() throws Exception {
    Path model = synthTiny();
    assertOneLineError(
        CliRunner.run("generate", "--model", model.toString(), "--tokens", "2,5", "--bits", "4"),
        model.resolve("manifest.json").toString(), "layer 0 has no 4-bit file", "pack");
  }

  @Test
  void notAModelDirectory() {
    assertOneLineError(CliRunner.run("generate", "--model", dir.toString(), "--tokens", "2"), "manifest.json", "no model manifest");
  }

  private Path synthTiny() {
    Path model = dir.resolve("model");
    assertThat(CliRunner.run("synth", "--preset", "opt-tiny", "--out", model.toString()).exitCode()).isZero();
    return model;
  }
}
