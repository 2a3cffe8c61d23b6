package io.dilemma.commandline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds the command line of every Dilemma main, in both jars, so they share one error style and
 * one exit-code convention ({@link ExitCode}): every command gets {@code --help} and {@code
 * --version}, and every failure is one line on stderr prefixed with the command, never a stack
 * trace or the whole usage text.
 */
public final class DilemmaCommandLine {
  private DilemmaCommandLine() {}

  /**
   * {@code root} with its subcommands: those a {@link CommandGroup} lists, recursively, then {@code
   * more}.
   */
  public static CommandLine of(Object root, List<Object> more) {
    CommandLine cli = withSubcommands(root);
    more.forEach(child -> cli.addSubcommand(withSubcommands(child)));
    helpEverywhere(cli);
    cli.setParameterExceptionHandler(DilemmaCommandLine::badArguments);
    cli.setExecutionExceptionHandler(DilemmaCommandLine::failed);
    return cli;
  }

  public static CommandLine of(Object root) {
    return of(root, List.of());
  }

  private static CommandLine withSubcommands(Object command) {
    CommandLine line = command instanceof CommandLine given ? given : new CommandLine(command);
    if (line.getCommand() instanceof CommandGroup group) {
      for (Supplier<Object> child : group.subcommands()) line.addSubcommand(withSubcommands(child.get()));
    }
    return line;
  }

  private static void helpEverywhere(CommandLine line) {
    CommandSpec spec = line.getCommandSpec();
    if (spec.findOption("--help") == null) spec.mixinStandardHelpOptions(true);
    line.getSubcommands().values().forEach(DilemmaCommandLine::helpEverywhere);
  }

  /** A flag picocli could not parse: one line, like an input error found later, and a pointer. */
  private static int badArguments(CommandLine.ParameterException problem, String[] args) {
    CommandLine line = problem.getCommandLine();
    String name = line.getCommandSpec().qualifiedName();
    line.getErr().println(name + ": " + firstLine(problem.getMessage()) + " (see '" + name + " --help')");
    line.getErr().flush();
    return ExitCode.BAD_INPUT;
  }

  private static int failed(Exception error, CommandLine line, CommandLine.ParseResult parsed) {
    line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + describe(error));
    line.getErr().flush();
    return exitCode(error);
  }

  static int exitCode(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof BadInput
            || cause instanceof NoSuchFileException
            || cause instanceof AccessDeniedException
            || cause instanceof FileAlreadyExistsException
        ? ExitCode.BAD_INPUT
        : ExitCode.FAILURE;
  }

  /** One line for a human: the message alone when it says what went wrong, else its type too. */
  static String describe(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof NoSuchFileException e) return e.getFile() + ": no such file or directory";
    if (cause instanceof AccessDeniedException e) return e.getFile() + ": permission denied";
    if (cause instanceof FileAlreadyExistsException e) return e.getFile() + ": already exists";
    String message = cause.getMessage();
    if (message == null || message.isBlank()) return cause.getClass().getSimpleName();
    boolean speaksForItself =
        cause instanceof BadInput || cause instanceof IOException || cause instanceof IllegalArgumentException;
    return (speaksForItself ? "" : cause.getClass().getSimpleName() + ": ") + firstLine(message);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof UncheckedIOException && error.getCause() != null ? error.getCause() : error;
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
