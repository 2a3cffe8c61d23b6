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
  @Test
  void aCheckpointThatIsNotThereIsBadInputNamedInOneLine(@TempDir Path empty) {
    var run = CapturedRun.of(QualityBenchMain.commandLine(), "bench", "quality", "--checkpoint", empty.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("quality-bench bench quality: ")
        .contains(empty.resolve("config.json").toString()));
  }

  @Test
  void aFlagThatDoesNotParseIsBadInput() {
    var run = CapturedRun.of(QualityBenchMain.commandLine(), "bench", "quality", "--checkpoint", "x", "--windows", "many");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err()).contains("--windows").contains("(see 'quality-bench bench quality --help')");
  }

  @Test
  void everyCommandAndOptionIsDescribed() {
    assertThat(HelpTexts.gaps(QualityBenchMain.commandLine())).isEmpty();
  }
}
