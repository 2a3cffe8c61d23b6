package io.dilemma.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.commandline.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorCommandTest {
  @TempDir Path dir;

  @Test
  void aKubeconfigThatIsNotThereIsBadInputNamedInOneLine() {
    Path missing = dir.resolve("no-such-kubeconfig");
    CapturedRun last =
        CapturedRun.of(DilemmaCommandLine.of(new OperatorCommand()), "--kubeconfig", missing.toString(), "--namespace", "team-a");
    assertThat(last.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip()).isEqualTo("operator: --kubeconfig: " + missing + ": no such readable file");
  }

  @Test
  void minusNAndWatchNamespacesTogetherWatchBothAndNeitherWatchesAll() {
    assertThat(parsed("-n", "team-a", "--watch-namespaces", "team-b,team-c").watchedNamespaces())
        .containsExactlyInAnyOrder("team-a", "team-b", "team-c");
    assertThat(parsed("--namespace", "team-a").watchedNamespaces()).containsExactly("team-a");
    assertThat(parsed("--watch-namespaces", "team-b").watchedNamespaces()).containsExactly("team-b");
    assertThat(parsed().watchedNamespaces()).isEmpty();
  }

  private static OperatorCommand parsed(String... args) {
    OperatorCommand command = new OperatorCommand();
    DilemmaCommandLine.of(command).parseArgs(args);
    return command;
  }
}
