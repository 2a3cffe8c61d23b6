package io.dilemma.commandline;

/** The exit codes of every Dilemma command, in both jars; scripts and tests may rely on them. */
public final class ExitCode {
  private ExitCode() {}

  public static final int OK = 0;

  /** Anything that is not the user's to fix: a bug, a lost connection, a full disk. */
  public static final int FAILURE = 1;

  /** A file, field or flag the user must fix; the one-line message names it. */
  public static final int BAD_INPUT = 2;

  /** The inputs are valid but no plan satisfies them; the explanation is printed. */
  public static final int NO_PLAN = 3;
}
