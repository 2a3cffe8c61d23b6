package io.dilemma.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.FileHashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreCommandTest {
  @TempDir Path root;

  private Path model(String layerContent, String listedHashOf) throws Exception {
    Path model = Files.createDirectories(root.resolve("tiny"));
    Files.createDirectories(model.resolve("layers"));
    Files.writeString(model.resolve("layers/0.onnx"), layerContent);
    Files.writeString(model.resolve("secret.txt"), "not in the manifest");
    String hash = FileHashes.sha256(listedHashOf.getBytes(StandardCharsets.UTF_8));
    Files.writeString(model.resolve("manifest.json"),
        "{\"formatVersion\":1,\"maxGroupSize\":32,\"model\":\"tiny\",\"sha256\":{\"layers/0.onnx\":\"" + hash + "\"}}");
    return model;
  }

  @Test
  void servesTheManifestAndTheFilesItListsOnly() throws Exception {
    Path model = model("weights", "weights");
    var files = ModelStoreCommand.verifiedFiles(root);
    assertThat(files).containsOnlyKeys("/tiny/manifest.json", "/tiny/layers/0.onnx");
    assertThat(files.get("/tiny/layers/0.onnx")).isEqualTo(model.resolve("layers/0.onnx"));
  }

  @Test
  void refusesAFileWhoseHashDoesNotMatch() throws Exception {
    model("damaged", "weights");
    assertThatThrownBy(() -> ModelStoreCommand.verifiedFiles(root))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("0.onnx")
        .hasMessageContaining("does not match");
  }

  @Test
  void refusesAPathThatLeavesTheModel() throws Exception {
    Path model = Files.createDirectories(root.resolve("evil"));
    Files.writeString(model.resolve("manifest.json"),
        "{\"formatVersion\":1,\"maxGroupSize\":32,\"model\":\"evil\",\"sha256\":{\"../x\":\"00\"}}");
    assertThatThrownBy(() -> ModelStoreCommand.verifiedFiles(root)).hasMessageContaining("leaves the model directory");
  }

  @Test
  void aDirectoryWithoutModelsIsAnError() {
    assertThatThrownBy(() -> ModelStoreCommand.verifiedFiles(root)).hasMessageContaining("no <model>/manifest.json");
  }
}
