package io.dilemma.worker.cli;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.worker.model.cli.ModelCommands;
import io.dilemma.worker.serving.hop.LoopbackHopTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code shard-worker} binary: model toolkit commands and {@code serve}. Benchmarks ship in
 * their own jar ({@code shard-worker/bench}). Errors and exit codes follow {@link
 * DilemmaCommandLine}.
 */
@Command(
    name = "shard-worker",
    versionProvider = ShardWorkerVersion.class,
    description = "Dilemma shard-worker: build and inspect models, serve one shard of a pipeline.")
public final class ShardWorkerCli implements CommandGroup {
  @Override
  public List<Supplier<Object>> subcommands() {
    // profile times a cut through this binary's own gRPC stream, which the model toolkit lacks
    List<Supplier<Object>> all = new ArrayList<>(ModelCommands.all(new LoopbackHopTimer()));
    all.add(PlanLocalCommand::new);
    all.add(ServeCommand::new);
    all.add(ModelStoreCommand::new);
    return all;
  }

  public static CommandLine commandLine() {
    return DilemmaCommandLine.of(new ShardWorkerCli());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
