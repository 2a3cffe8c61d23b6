package io.dilemma.prober.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.HelpTexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The prober's command line follows the shared convention: one-line errors, exit codes, help. */
class ProberMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ProberMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aFlagThatDoesNotParseIsBadInputInOneLine() {
    int exit = run("probe", "--node", "n1", "--namespace", "dilemma", "--peer-selector", "app=prober", "--probe-interval", "soon");
    assertThat(exit).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("dilemma-prober probe: ")
        .contains("--probe-interval")
        .endsWith("(see 'dilemma-prober probe --help')"));
  }

  @Test
  void everyCommandHasVersionAndDescribedHelp() {
    assertThat(run("--version")).isEqualTo(ExitCode.OK);
    assertThat(out.toString()).startsWith("dilemma-prober ");
    assertThat(run("probe", "--help")).isEqualTo(ExitCode.OK);
    assertThat(HelpTexts.gaps(ProberMain.commandLine())).isEmpty();
  }
}
