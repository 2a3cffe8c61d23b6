package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.HelpTexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The quality bench's command line follows the shared convention: one-line errors, exit codes, help. */
class QualityBenchMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = QualityBenchMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aCheckpointThatIsNotThereIsBadInputNamedInOneLine(@TempDir Path empty) {
    int exit = run("bench", "quality", "--checkpoint", empty.toString());
    assertThat(exit).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("quality-bench bench quality: ")
        .contains(empty.resolve("config.json").toString()));
  }

  @Test
  void aFlagThatDoesNotParseIsBadInput() {
    assertThat(run("bench", "quality", "--checkpoint", "x", "--windows", "many")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--windows").contains("(see 'quality-bench bench quality --help')");
  }

  @Test
  void everyCommandAndOptionIsDescribed() {
    assertThat(HelpTexts.gaps(QualityBenchMain.commandLine())).isEmpty();
  }
}
