package io.dilemma.worker.cli.bench;

import io.dilemma.worker.cli.ShardWorkerCli;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code shard-worker-bench} binary: benchmarks of the model toolkit and the serving runtime. */
@Command(name = "shard-worker-bench", mixinStandardHelpOptions = true, description = "Benchmarks; see the subcommands.")
public final class BenchCommand {

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new BenchCommand());
    cli.addSubcommand(new BenchModelCommand());
    cli.addSubcommand(new BenchPipelineCommand());
    cli.addSubcommand(new BenchDecodeBatchCommand());
    cli.addSubcommand(new BenchCutCodecCommand());
    return ShardWorkerCli.withErrorHandling(cli);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
