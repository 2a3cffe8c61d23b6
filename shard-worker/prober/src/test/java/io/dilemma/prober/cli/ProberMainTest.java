package io.dilemma.prober.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.HelpTexts;
import org.junit.jupiter.api.Test;

/** The prober's command line follows the shared convention: one-line errors, exit codes, help. */
class ProberMainTest {

  private CapturedRun last;

  private int run(String... args) {
    last = CapturedRun.of(ProberMain.commandLine(), args);
    return last.exitCode();
  }

  @Test
  void aFlagThatDoesNotParseIsBadInputInOneLine() {
    int exit = run("probe", "--node", "n1", "--namespace", "dilemma", "--peer-selector", "app=prober", "--probe-interval", "soon");
    assertThat(exit).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("dilemma-prober probe: ")
        .contains("--probe-interval")
        .endsWith("(see 'dilemma-prober probe --help')"));
  }

  @Test
  void everyCommandHasVersionAndDescribedHelp() {
    assertThat(run("--version")).isEqualTo(ExitCode.OK);
    assertThat(last.out()).startsWith("dilemma-prober ");
    assertThat(run("probe", "--help")).isEqualTo(ExitCode.OK);
    assertThat(HelpTexts.gaps(ProberMain.commandLine())).isEmpty();
  }
}
