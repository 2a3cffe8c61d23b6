package io.dilemma.worker.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.tokenizer.BpeTrainer;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a manifest may point at, and the tokenizer going through the hash-checked directory. */
class ModelDirectoryTest {
  @TempDir Path parent;
  Path root;
  ObjectNode manifest;

  @BeforeEach
  void oneLayerModelWithATokenizer() throws Exception {
    root = Files.createDirectories(parent.resolve("model"));
    TokenizerFiles tokenizer = BpeTrainer.write(BpeTrainer.train("the cat sat on the mat", 280), root);
    manifest = (ObjectNode) ContractJson.mapper().readTree("""
        {"formatVersion": 1, "model": "m",
         "dimensions": {"layers": 1, "hiddenSize": 8, "wordEmbedDim": 8, "heads": 2, "ffnSize": 16,
                        "vocabSize": 280, "maxPositions": 64, "preLayerNorm": true},
         "maxGroupSize": 8, "layers": [{"index": 0, "variants": [{"bits": 4, "file": "layer-0.onnx"}]}]}
        """);
    manifest.set("tokenizer", ContractJson.mapper().valueToTree(tokenizer));
    manifest.set("sha256", ContractJson.mapper().valueToTree(Map.of(
        tokenizer.vocab(), FileHashes.sha256(root.resolve(tokenizer.vocab())),
        tokenizer.merges(), FileHashes.sha256(root.resolve(tokenizer.merges())))));
  }

  private ModelDirectory open() throws Exception {
    Files.writeString(root.resolve(ShardManifest.FILE_NAME), ContractJson.write(manifest));
    return ModelDirectory.open(root);
  }

  private String manifestFile() {
    return root.resolve(ShardManifest.FILE_NAME).toString();
  }

  @Test
  void theTokenizerLoadsWhenItsFilesMatchTheManifest() throws Exception {
    assertThat(open().tokenizer().encode("the cat")).isNotEmpty();
  }

  @Test
  void aTokenizerWhoseHashDoesNotMatchIsRefused() throws Exception {
    ModelDirectory directory = open();
    Files.writeString(root.resolve("vocab.json"), "{\"the\": 0}");
    assertThatThrownBy(directory::tokenizer)
        .isInstanceOf(ModelException.class)
        .hasMessageStartingWith(root.resolve("vocab.json") + ": sha256 ")
        .hasMessageContaining("does not match the manifest's");
  }

  /** The hash check alone does not help when the manifest names a file outside the model. */
  @Test
  void aTokenizerOutsideTheModelDirectoryIsRefused() throws Exception {
    Path outside = parent.resolve("vocab.json");
    Files.copy(root.resolve("vocab.json"), outside);
    ((ObjectNode) manifest.get("tokenizer")).put("vocab", "../vocab.json");
    ((ObjectNode) manifest.get("sha256")).put("../vocab.json", FileHashes.sha256(outside));
    assertThatThrownBy(this::open)
        .isInstanceOf(ModelException.class)
        .hasMessage(manifestFile() + ": file path '../vocab.json' leaves the model directory");
  }

  @Test
  void anAbsoluteLayerPathIsRefused() throws Exception {
    ((ObjectNode) manifest.at("/layers/0/variants/0")).put("file", "/etc/passwd");
    assertThatThrownBy(this::open).hasMessage(manifestFile() + ": file path '/etc/passwd' leaves the model directory");
  }

  /** widestBits() used to fail with NoSuchElementException on a layer listing no files. */
  @Test
  void aLayerWithoutFilesIsRefusedWhenOpened() throws Exception {
    manifest.withArray("layers").removeAll().addObject().put("index", 0).putArray("variants");
    assertThatThrownBy(this::open).hasMessage(manifestFile() + ": entry for layer 0 is missing or lists no files");
  }

  /** tokenizer() used to fail with a NullPointerException resolving a null file name. */
  @Test
  void aTokenizerWithoutMergesIsRefusedWhenOpened() throws Exception {
    ((ObjectNode) manifest.get("tokenizer")).remove("merges");
    assertThatThrownBy(this::open).hasMessage(manifestFile() + ": tokenizer needs both vocab and merges");
  }

  @Test
  void aFileNameWithALineBreakStaysOnOneLine() throws Exception {
    ((ObjectNode) manifest.at("/layers/0/variants/0")).put("file", "../a\nb");
    assertThatThrownBy(this::open).hasMessage(manifestFile() + ": file path '../a\\nb' leaves the model directory");
  }
}
