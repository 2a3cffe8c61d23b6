package io.dilemma.worker.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import io.dilemma.worker.model.format.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's path through the commands on opt-tiny: synth → pack → generate → profile. */
class CommandsTest {
  @TempDir Path dir;

  @Test
  void synthPackGenerateAndProfileATextFile() throws Exception {
    Path model = dir.resolve("tiny");
    assertThat(CliRunner.run("synth", "--preset", "opt-tiny", "--out", model.toString()).exitCode()).isZero();

    CliRunner pack = CliRunner.run("pack", "--model", model.toString(), "--bits", "4,8,3,2", "--head-bits", "8");
    assertThat(pack.exitCode()).as(pack.err()).isZero();
    assertThat(ModelDirectory.open(model).layer(3, 2).file()).isEqualTo("layers/layer-003-b2.onnx");

    CliRunner generate =
        CliRunner.run("generate", "--model", model.toString(), "--bits", "4,8,3,2", "--prompt", "The river", "--max-tokens", "5", "--temperature", "0.8", "--seed", "3");
    assertThat(generate.exitCode()).as(generate.err()).isZero();
    assertThat(generate.out()).startsWith("The river").contains("tokens: ").contains("tokens/s");

    Path deployable = dir.resolve("deployable");
    assertThat(CliRunner.run("pack", "--model", model.toString(), "--bits", "4", "--out", deployable.toString()).exitCode()).isZero();
    assertThat(CliRunner.run("generate", "--model", deployable.toString(), "--tokens", "2,40,41").exitCode()).isZero();

    Path text = Files.writeString(dir.resolve("text.txt"), "The weather was mild in the morning and the people went to the market.");
    Path profile = dir.resolve("profile.json");
    CliRunner result =
        CliRunner.run(
            "profile", "--model", model.toString(), "--text", text.toString(), "--bits", "4,8", "--rho", "0.5", "--additivity-samples", "1", "--out", profile.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    ModelProfile read = ContractJson.read(profile, ModelProfile.class);
    assertThat(read.layers()).hasSize(4);
    assertThat(read.layers().get(0).bits().get(0).quality().deltaPerplexity()).isNotNull();
    assertThat(result.err()).as("plain progress lines off a terminal").contains("profile: ").contains("eta").doesNotContain("\r");
  }
}
