package io.dilemma.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ContractJson;
import io.dilemma.planinput.OptShapedProfile;
import io.dilemma.planner.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  @TempDir Path dir;

  private static final String CLUSTER =
      """
      origin: pi
      nodes:
        - {name: pi, compute: 25 GFLOP/s, memoryBandwidth: 6 GB/s, memory: 30 MiB}
        - {name: nuc, compute: 150 GFLOP/s, memoryBandwidth: 30 GB/s, memory: 2 GiB}
      links:
        - {from: pi, to: nuc, bandwidth: 1 Gbit/s, latency: 0.3 ms}
      workload: {promptTokens: 64, outputTokens: 32}
      quality: {budget: 0.2}
      """;

  @BeforeEach
  void writeInputs() throws IOException {
    Files.writeString(
        dir.resolve("profile.json"), ContractJson.write(OptShapedProfile.create("small-opt", 6, 512, 2048, 8, 5000, 512, 1)));
    Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
  }

  private CapturedRun last;

  private int run(String... args) {
    last = CapturedRun.of(DilemmaCli.commandLine(), args);
    return last.exitCode();
  }

  @Test
  void printsATableForADirectory() {
    assertThat(run("plan", dir.toString())).isEqualTo(0);
    assertThat(last.out())
        .contains("Plan for small-opt on 2 nodes (origin pi)")
        .contains("shard  node")
        .contains("T_total")
        .contains("solver chain search OPTIMAL");
    assertThat(last.err()).isEmpty();
  }

  @Test
  void printsThePlanAsJsonWithExplicitFiles() throws IOException {
    int code =
        run("plan", "--profile", dir.resolve("profile.json").toString(), "--cluster", dir.resolve("cluster.yaml").toString(), "--output", "json");
    assertThat(code).isEqualTo(0);
    Plan plan = ContractJson.read(last.out(), Plan.class);
    assertThat(plan.layers()).hasSize(6);
    assertThat(plan.layers().get(0).node()).isEqualTo("pi");
    assertThat(plan.predicted().totalSeconds()).isPositive();
  }

  @Test
  void anImpossibleBudgetExplainsItselfWithExitCode3() {
    assertThat(run("plan", dir.toString(), "--budget", "0")).isEqualTo(ExitCode.NO_PLAN);
    assertThat(last.out())
        .containsPattern(
            "No plan \\(quality\\): The quality budget 0 is below the smallest loss any plan reaches on these nodes;"
                + " the smallest feasible budget is [0-9.e-]+\\.\\R");
  }

  @Test
  void badInputIsOneLineWithExitCode2AndNoStackTrace() throws IOException {
    Files.writeString(dir.resolve("cluster.yaml"), CLUSTER.replace("memory: 2 GiB", "memory: two"));
    assertThat(run("plan", dir.toString())).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip())
        .isEqualTo("dilemma plan: " + dir.resolve("cluster.yaml") + ": nodes[1].memory: expected a size such as 6 GiB or 512 MB, got 'two'");

    Files.writeString(dir.resolve("profile.json"), "{\"schemaVersion\": 1, \"layers\": [{\"index\": \"zero\"}]}");
    Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
    assertThat(run("plan", dir.toString())).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err()).startsWith("dilemma plan: " + dir.resolve("profile.json") + ": layers[0].index: ");
    assertThat(last.err().strip().lines()).hasSize(1);
  }

  @Test
  void aFlagThatDoesNotParseAndAValueThatIsWrongGetTheSameOneLine() {
    assertThat(run("plan", dir.toString(), "--budget", "abc")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().lines()).singleElement().asString()
        .startsWith("dilemma plan: ").contains("--budget", "abc").doesNotContain("Usage");
    assertThat(run("plan", dir.toString(), "--budget", "Infinity")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().lines()).singleElement().asString()
        .isEqualTo("dilemma plan: --budget: must be a finite number ≥ 0, not Infinity");
    assertThat(run("plan", dir.toString(), "--time-limit", "forever")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().lines()).singleElement().asString().startsWith("dilemma plan: --time-limit: ");
    assertThat(last.out()).isEmpty();
  }

  @Test
  void aHalfGivenPairOfFilesIsNamed() {
    assertThat(run("plan", "--profile", dir.resolve("profile.json").toString())).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err()).contains("give a directory, or both --profile and --cluster");
  }

  @Test
  void withoutArgumentsThePaperScaleExampleInTheJarIsPlanned() {
    assertThat(run("plan", "--time-limit", "30s")).isEqualTo(0);
    assertThat(last.out()).contains("Plan for opt-350m on 5 nodes").contains("T_total");
  }

  @Test
  void theQuickStartExamplesPlan() {
    assertThat(run("plan", "../deploy/examples/opt-350m-edge", "--time-limit", "30s")).isEqualTo(0);
    assertThat(last.out()).contains("T_total");
  }

  @Test
  void planAndOperatorAreRegisteredAndBenchShipsInItsOwnJar() {
    CommandLine cli = DilemmaCli.commandLine();
    assertThat(cli.getSubcommands()).containsKeys("plan", "operator").doesNotContainKey("bench");
  }
}
