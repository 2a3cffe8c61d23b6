package io.dilemma.cli;

import io.dilemma.planinput.InvalidInputException;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code dilemma} command: main class of the operator jar. Benchmarks ship in their own jar
 * ({@code operator/bench}), whose main builds its command line with {@link #commandLine(Object)}.
 */
@Command(
    name = "dilemma",
    mixinStandardHelpOptions = true,
    versionProvider = JarVersion.class,
    description = "Plans and runs LLMs across edge machines.")
public final class DilemmaCli implements CommandGroup {
  /** Exit code for bad input: a file, field or flag the user must fix. */
  public static final int INPUT_ERROR = 2;

  /** Every top-level subcommand, in help order. Register new ones here. */
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(PlanCommand::new, io.dilemma.operator.cli.OperatorCommand::new);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return commandLine(new DilemmaCli());
  }

  /** {@code root} with its subcommands and the one-line error handling of every dilemma command. */
  public static CommandLine commandLine(Object root) {
    CommandLine cli = withSubcommands(root);
    cli.setExecutionExceptionHandler(DilemmaCli::oneLineError);
    return cli;
  }

  private static CommandLine withSubcommands(Object command) {
    CommandLine line = new CommandLine(command);
    if (command instanceof CommandGroup group) {
      for (Supplier<Object> child : group.subcommands()) line.addSubcommand(withSubcommands(child.get()));
    }
    return line;
  }

  /** Users get one line that says what is wrong, never a stack trace. */
  private static int oneLineError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    if (e instanceof InvalidInputException) {
      cli.getErr().println("dilemma: " + e.getMessage());
      return INPUT_ERROR;
    }
    cli.getErr().println("dilemma: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    return 1;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
