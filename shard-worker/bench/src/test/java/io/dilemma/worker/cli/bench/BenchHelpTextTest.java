package io.dilemma.worker.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.HelpTexts;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchHelpTextTest {
  @Test
  void everyBenchmarkAndOptionSaysWhatItDoes() {
    assertThat(HelpTexts.gaps(BenchCommand.commandLine())).isEmpty();
  }

  @Test
  void aPipelineRatioNeedsThreeAlternatingRoundsAndComesWithItsSpread() {
    assertThat(BenchPipelineCommand.ratio(30, 40, List.of(0.75)))
        .startsWith("no ratio from 1 round ")
        .contains("--repeats 3");
    assertThat(BenchPipelineCommand.ratio(30, 40, List.of(0.70, 0.80, 0.74)))
        .isEqualTo("ratio 0.750 (per round 0.700..0.800 over 3 alternating rounds)");
  }
}
