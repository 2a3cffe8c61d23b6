package io.dilemma.worker.model.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The model toolkit alone; the shard-worker jar's main registers the same commands. */
@Command(name = "model-tools", mixinStandardHelpOptions = true, description = "OPT model toolkit: synth, import, pack, generate, profile, bench model.")
public final class ModelToolsMain {
  private ModelToolsMain() {}

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ModelToolsMain());
    ModelCommands.all().forEach(cli::addSubcommand);
    CommandLine bench = new CommandLine(new BenchGroup());
    ModelCommands.benchSubcommands().forEach(bench::addSubcommand);
    cli.addSubcommand("bench", bench);
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.")
  static final class BenchGroup {}
}
