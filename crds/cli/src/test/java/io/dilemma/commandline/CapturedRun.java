package io.dilemma.commandline;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One run of a command line in this JVM, with what its user would have seen on stdout and stderr.
 * Shared with the other modules' command-line tests through this module's test-jar.
 */
public record CapturedRun(int exitCode, String out, String err) {
  public static CapturedRun of(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CapturedRun(exit, out.toString(), err.toString());
  }
}
