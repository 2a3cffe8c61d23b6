package io.dilemma.worker.cli.bench;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code shard-worker-bench} binary: benchmarks of the model toolkit and the serving runtime. */
@Command(name = "shard-worker-bench", description = "Benchmarks of the model toolkit and the serving runtime.")
public final class BenchCommand implements CommandGroup {
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(BenchModelCommand::new, BenchPipelineCommand::new, BenchDecodeBatchCommand::new, BenchDecodeStepCommand::new, BenchCutCodecCommand::new, BenchLoadCommand::new, BenchPredictionCommand::new, BenchProbeWhileDecodingCommand::new);
  }

  public static CommandLine commandLine() {
    return DilemmaCommandLine.of(new BenchCommand());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
