package io.dilemma.worker.model.cli;

import io.dilemma.commandline.CapturedRun;

/** Runs the model CLI in-process and captures what a user would see. */
record CliRunner(int exitCode, String out, String err) {
  static CliRunner run(String... args) {
    CapturedRun run = CapturedRun.of(ModelToolsMain.commandLine(), args);
    return new CliRunner(run.exitCode(), run.out(), run.err());
  }

  /** stderr without progress-bar redraws. */
  String errorLines() {
    return err.lines().filter(l -> !l.contains("\r") && !l.isBlank()).reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
  }
}
