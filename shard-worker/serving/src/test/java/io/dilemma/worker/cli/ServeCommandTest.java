package io.dilemma.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code serve} refuses before it loads anything. */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void aChatTemplateFileWithoutContentIsBadInputNamingTheFlagTheFileAndTheField() throws Exception {
    Path plan = dir.resolve("shard.json");
    Files.writeString(plan, ContractJson.write(new ShardPlan(
        1, "d", null, "p", 0, 1, "n", new ShardPlan.ModelSource("m", dir.resolve("m").toUri().toString(), null, null),
        0, 0, List.of(8), true, true, null, null, null, true, null)));
    Path template = dir.resolve("template.json");
    Files.writeString(template, "{\"system\": \"{content}\", \"user\": \"User:\", \"assistant\": \"{content}\", \"assistantPrefix\": \"\"}");

    CapturedRun run = CapturedRun.of(
        ShardWorkerCli.commandLine(), "serve", "--plan", plan.toString(), "--chat-template", template.toString(), "--http-port", "0");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains("--chat-template " + template + ": user: must contain {content}, got \"User:\"");
  }
}
