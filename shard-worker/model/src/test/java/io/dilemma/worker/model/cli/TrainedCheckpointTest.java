package io.dilemma.worker.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.format.MasterWeightsReader;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.importer.HfOptImporter;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed checkpoint trained by {@code shard-worker/model/training/train_opt.py}: its files
 * are the ones its manifest names, and {@code import} of it computes what PyTorch computed.
 */
class TrainedCheckpointTest {
  static final Path CHECKPOINT = repositoryRoot().resolve("deploy/models/opt-fortunes");

  /** Both are fp32 forward passes of the same fp16 weights; only the summation order differs. */
  private static final double LOGIT_TOLERANCE = 2e-3;

  @TempDir Path dir;

  @Test
  void everyFileMatchesTheSha256InTheTrainingManifest() throws Exception {
    JsonNode hashes = manifest().path("sha256");
    assertThat(hashes.size()).isGreaterThanOrEqualTo(6);
    for (Iterator<Map.Entry<String, JsonNode>> it = hashes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      assertThat(sha256(CHECKPOINT.resolve(entry.getKey()))).as(entry.getKey()).isEqualTo(entry.getValue().asText());
    }
  }

  @Test
  void theHashCheckNoticesAChangedByte() throws Exception {
    byte[] bytes = Files.readAllBytes(CHECKPOINT.resolve("merges.txt"));
    bytes[bytes.length / 2] ^= 1;
    Path changed = Files.write(dir.resolve("merges.txt"), bytes);
    assertThat(sha256(changed)).isNotEqualTo(manifest().path("sha256").path("merges.txt").asText());
  }

  @Test
  void importedCheckpointAgreesWithPyTorchOnEveryReferencePosition() throws Exception {
    Path model = dir.resolve("imported");
    CliRunner result = CliRunner.run("import", "--checkpoint", CHECKPOINT.toString(), "--out", model.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    ModelDirectory directory = ModelDirectory.open(model);
    BpeTokenizer tokenizer = directory.tokenizer();
    OptWeights weights = MasterWeightsReader.read(directory);
    int layers = weights.dimensions().layers();
    int vocab = weights.dimensions().vocabSize();
    JsonNode reference = ContractJson.mapper().readTree(CHECKPOINT.resolve("reference-logits.json").toFile());
    int positions = 0;
    int agree = 0;
    double maxTopDifference = 0;
    double maxLastDifference = 0;
    double maxJavaReferenceDifference = 0;
    try (ShardRunner runner = ShardRunner.open(model, LayerSelection.wholeModel(layers, 32))) {
      for (JsonNode prompt : reference.path("prompts")) {
        long[] ids = longs(prompt.path("ids"));
        long[] encoded = tokenizer.encode(prompt.path("prompt").asText());
        assertThat(encoded).as("Java tokenizer vs the training script's, for %s", prompt.path("prompt")).containsExactly(java.util.Arrays.copyOfRange(ids, 1, ids.length));
        float[] logits = runner.lmHead(runner.runLayers(runner.embed(ids, 0), ids.length, KvState.empty()).hidden(), ids.length);
        float[] plainJava = OptReferenceForward.logits(weights, ids);
        for (int t = 0; t < ids.length; t++) {
          int top = TokenSampler.argMax(logits, t * vocab, vocab);
          positions++;
          if (top == prompt.path("top1").get(t).asInt()) {
            agree++;
          }
          maxTopDifference = Math.max(maxTopDifference, Math.abs(logits[t * vocab + top] - prompt.path("top1Logit").get(t).asDouble()));
        }
        JsonNode last = prompt.path("lastLogits");
        int from = (ids.length - 1) * vocab;
        for (int i = 0; i < vocab; i++) {
          maxLastDifference = Math.max(maxLastDifference, Math.abs(logits[from + i] - last.get(i).asDouble()));
        }
        for (int i = 0; i < logits.length; i++) {
          maxJavaReferenceDifference = Math.max(maxJavaReferenceDifference, Math.abs(logits[i] - plainJava[i]));
        }
      }
    }
    System.out.printf(
        "trained checkpoint vs PyTorch: top-1 %d / %d positions, max |Δ top-1 logit| %.2e, max |Δ logit| at last positions %.2e; vs the plain-Java forward pass: max |Δ logit| %.2e%n",
        agree, positions, maxTopDifference, maxLastDifference, maxJavaReferenceDifference);
    assertThat(agree).isEqualTo(positions);
    assertThat(maxTopDifference).isLessThan(LOGIT_TOLERANCE);
    assertThat(maxLastDifference).isLessThan(LOGIT_TOLERANCE);
    assertThat(maxJavaReferenceDifference).isLessThan(LOGIT_TOLERANCE);
  }

  @Test
  void configMatchesTheManifestsModelShape() throws Exception {
    JsonNode model = manifest().path("model");
    var dims = HfOptImporter.readConfig(CHECKPOINT.resolve("config.json"));
    assertThat(dims.layers()).isEqualTo(model.path("layers").asInt());
    assertThat(dims.hiddenSize()).isEqualTo(model.path("hidden").asInt());
    assertThat(dims.preLayerNorm()).isTrue();
  }

  private static JsonNode manifest() throws Exception {
    return ContractJson.mapper().readTree(CHECKPOINT.resolve("training-manifest.json").toFile());
  }

  static Path repositoryRoot() {
    Path at = Path.of("").toAbsolutePath();
    while (at != null && !Files.isDirectory(at.resolve("deploy/models"))) {
      at = at.getParent();
    }
    if (at == null) {
      throw new IllegalStateException("no deploy/models above " + Path.of("").toAbsolutePath());
    }
    return at;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
