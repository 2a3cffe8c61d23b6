package io.dilemma.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.HelpTexts;
import org.junit.jupiter.api.Test;

class HelpTextTest {
  @Test
  void everyCommandAndOptionOfTheDilemmaJarSaysWhatItDoes() {
    assertThat(HelpTexts.gaps(DilemmaCli.commandLine())).isEmpty();
  }

  @Test
  void theOperatorTakesKubectlStyleConnectionFlags() {
    var operator = DilemmaCli.commandLine().getSubcommands().get("operator").getCommandSpec();
    assertThat(operator.findOption("--kubeconfig")).isNotNull();
    assertThat(operator.findOption("-n")).isSameAs(operator.findOption("--namespace"));
    assertThat(operator.findOption("--bind-address").defaultValue()).isEqualTo("0.0.0.0");
  }
}
