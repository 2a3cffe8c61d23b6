package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.HelpTexts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quality bench's command line follows the shared convention: one-line errors, exit codes, help. */
class QualityBenchMainTest {

  private CapturedRun last;

  private int run(String... args) {
    last = CapturedRun.of(QualityBenchMain.commandLine(), args);
    return last.exitCode();
  }

  @Test
  void aCheckpointThatIsNotThereIsBadInputNamedInOneLine(@TempDir Path empty) {
    int exit = run("bench", "quality", "--checkpoint", empty.toString());
    assertThat(exit).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("quality-bench bench quality: ")
        .contains(empty.resolve("config.json").toString()));
  }

  @Test
  void aFlagThatDoesNotParseIsBadInput() {
    assertThat(run("bench", "quality", "--checkpoint", "x", "--windows", "many")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err()).contains("--windows").contains("(see 'quality-bench bench quality --help')");
  }

  @Test
  void everyCommandAndOptionIsDescribed() {
    assertThat(HelpTexts.gaps(QualityBenchMain.commandLine())).isEmpty();
  }
}
