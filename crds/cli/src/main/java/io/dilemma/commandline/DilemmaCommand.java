package io.dilemma.commandline;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of a command that does work: it returns an {@link ExitCode} and writes to the command line's
 * streams (so tests can capture them). Failures are left to the handler of {@link
 * DilemmaCommandLine}, which turns them into one line and the convention's exit code.
 */
public abstract class DilemmaCommand implements Callable<Integer> {
  @Spec protected CommandSpec spec;

  /** The command's work; returns an {@link ExitCode}. */
  protected abstract int execute() throws Exception;

  @Override
  public final Integer call() throws Exception {
    return execute();
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
