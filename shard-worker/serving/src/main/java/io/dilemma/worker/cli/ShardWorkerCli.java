package io.dilemma.worker.cli;

import io.dilemma.worker.model.cli.ModelCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code shard-worker} binary: model toolkit commands and {@code serve}. Benchmarks ship in
 * their own jar ({@code shard-worker/bench}), whose main shares {@link #withErrorHandling}.
 */
@Command(
    name = "shard-worker",
    mixinStandardHelpOptions = true,
    versionProvider = JarVersion.class,
    description = "Dilemma shard-worker: build and inspect models, serve one shard of a pipeline.")
public final class ShardWorkerCli {

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ShardWorkerCli());
    ModelCommands.all().forEach(cli::addSubcommand);
    cli.addSubcommand(new PlanLocalCommand());
    cli.addSubcommand(new ServeCommand());
    cli.addSubcommand(new ModelStoreCommand());
    return withErrorHandling(cli);
  }

  /** Bad arguments exit 2 with a pointer to --help; a failure exits 1 with its first line. */
  public static CommandLine withErrorHandling(CommandLine cli) {
    cli.setParameterExceptionHandler(
        (problem, args) -> {
          problem.getCommandLine().getErr().println("error: " + problem.getMessage());
          problem.getCommandLine().getErr().println("(see " + problem.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (error, command, parsed) -> {
          command.getErr().println("error: " + firstLine(error));
          return 1;
        });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  private static String firstLine(Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
