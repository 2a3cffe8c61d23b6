package io.dilemma.worker.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static String run(boolean terminal, int steps) {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), "pack", steps, terminal);
    for (int i = 0; i < steps; i++) bar.step();
    bar.done();
    return text.toString();
  }

  @Test
  void offATerminalItWritesAFewPlainLinesAndNoCarriageReturns() {
    String log = run(false, 100);
    assertThat(log).doesNotContain("\r");
    assertThat(log.lines()).hasSize(4).allMatch(l -> l.startsWith("pack: "));
    assertThat(log.lines().toList().get(3)).startsWith("pack: 100/100, ");
  }

  @Test
  void offATerminalAShortRunEndsOnItsLastStep() {
    String log = run(false, 3);
    assertThat(log.lines()).hasSize(3);
    assertThat(log.lines().toList().get(2)).startsWith("pack: 3/3, ");
  }

  @Test
  void onATerminalItRedrawsInPlace() {
    String screen = run(true, 3);
    assertThat(screen).contains("\rpack [").endsWith("\n");
    assertThat(screen.chars().filter(c -> c == '\n').count()).as("newlines").isEqualTo(1);
  }
}
