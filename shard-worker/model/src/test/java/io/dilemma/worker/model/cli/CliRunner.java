package io.dilemma.worker.model.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the model CLI in-process and captures what a user would see. */
record CliRunner(int exitCode, String out, String err) {
  static CliRunner run(String... args) {
    CommandLine cli = ModelToolsMain.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CliRunner(exit, out.toString(), err.toString());
  }

  /** stderr without progress-bar redraws. */
  String errorLines() {
    return err.lines().filter(l -> !l.contains("\r") && !l.isBlank()).reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
  }
}
