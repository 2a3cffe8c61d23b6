package io.dilemma.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.HelpTexts;
import org.junit.jupiter.api.Test;

class ShardWorkerHelpTextTest {
  @Test
  void everyCommandAndOptionOfTheShardWorkerJarSaysWhatItDoes() {
    assertThat(HelpTexts.gaps(ShardWorkerCli.commandLine())).isEmpty();
  }
}
