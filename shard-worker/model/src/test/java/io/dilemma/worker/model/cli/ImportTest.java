package io.dilemma.worker.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.safetensors.SafetensorsWriter;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportTest {
  static final String TINY_CONFIG =
      """
      {"model_type": "opt", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 4, "ffn_dim": 256,
       "vocab_size": 512, "max_position_embeddings": 512, "word_embed_proj_dim": 64,
       "do_layer_norm_before": true, "activation_function": "relu"}
      """;

  /** Post-LN with a 32↔64 projection, the OPT-350m arrangement in miniature. */
  static final ModelDimensions POST_LN = new ModelDimensions(2, 64, 32, 4, 128, 300, 64, false);

  static final String POST_LN_CONFIG =
      """
      {"model_type": "opt", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "ffn_dim": 128,
       "vocab_size": 300, "max_position_embeddings": 64, "word_embed_proj_dim": 32,
       "do_layer_norm_before": false, "activation_function": "relu"}
      """;

  @TempDir Path dir;

  @Test
  void importedCheckpointGivesTheLogitsOfAReferenceForwardPassOverTheSameWeights() throws Exception {
    OptWeights weights = new WeightSynthesizer(21).synthesize(POST_LN);
    Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
    Files.writeString(checkpoint.resolve("config.json"), POST_LN_CONFIG);
    // Hugging Face checkpoints may drop the "model." prefix and carry the tied lm_head separately.
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    weights.tensors().forEach((name, tensor) -> tensors.put(name.substring("model.".length()), tensor));
    tensors.put("lm_head.weight", weights.get(OptWeights.EMBED_TOKENS));
    SafetensorsWriter.write(checkpoint.resolve("model.safetensors"), tensors);

    Path model = dir.resolve("imported");
    CliRunner result = CliRunner.run("import", "--checkpoint", checkpoint.toString(), "--out", model.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();

    long[] tokens = {2, 40, 41, 299, 7, 100};
    float[] imported;
    try (ShardRunner runner = ShardRunner.open(model, LayerSelection.wholeModel(2, 32))) {
      imported = runner.lmHead(runner.runLayers(runner.embed(tokens, 0), tokens.length, KvState.empty()).hidden(), tokens.length);
    }
    float[] reference = OptReferenceForward.logits(weights, tokens);
    assertThat(imported).hasSameSizeAs(reference);
    for (int i = 0; i < reference.length; i++) {
      assertThat(imported[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(2e-4f));
    }
  }

  @Test
  void synthesisedPreLnModelMatchesTheReferenceForwardPassToo() throws Exception {
    Path model = dir.resolve("tiny");
    assertThat(CliRunner.run("synth", "--preset", "opt-tiny", "--seed", "4", "--out", model.toString()).exitCode()).isZero();
    OptWeights weights = new WeightSynthesizer(4).synthesize(io.dilemma.worker.model.synth.OptPreset.OPT_TINY.dimensions());
    long[] tokens = {2, 300, 301, 302};
    float[] logits;
    try (ShardRunner runner = ShardRunner.open(model, LayerSelection.wholeModel(4, 32))) {
      logits = runner.lmHead(runner.runLayers(runner.embed(tokens, 0), tokens.length, KvState.empty()).hidden(), tokens.length);
    }
    float[] reference = OptReferenceForward.logits(weights, tokens);
    for (int i = 0; i < reference.length; i++) {
      assertThat(logits[i]).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(2e-4f));
    }
  }
}
