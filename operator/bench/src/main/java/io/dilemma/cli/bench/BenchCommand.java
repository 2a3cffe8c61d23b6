package io.dilemma.cli.bench;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;

/**
 * {@code dilemma bench ...}: benchmarks that print tables, never timed tests. Main class of the
 * bench jar, which {@code deploy/dilemma bench} runs.
 */
@Command(name = "bench", description = "Run a benchmark.")
public final class BenchCommand implements CommandGroup {
  /** Every benchmark. Register new ones here. */
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(BenchPlannerCommand::new, io.dilemma.operator.bench.BenchOperatorCommand::new);
  }

  public static void main(String[] args) {
    System.exit(DilemmaCommandLine.of(new BenchCommand()).execute(args));
  }
}
