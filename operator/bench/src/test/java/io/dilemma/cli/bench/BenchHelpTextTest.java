package io.dilemma.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.commandline.HelpTexts;
import org.junit.jupiter.api.Test;

class BenchHelpTextTest {
  @Test
  void everyBenchmarkAndOptionSaysWhatItDoes() {
    assertThat(HelpTexts.gaps(DilemmaCommandLine.of(new BenchCommand()))).isEmpty();
  }
}
