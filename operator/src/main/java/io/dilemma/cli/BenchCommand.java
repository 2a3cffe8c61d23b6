package io.dilemma.cli;

import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dilemma bench ...}: benchmarks that print tables, never timed tests. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark.")
final class BenchCommand implements CommandGroup {
  /** Every benchmark. Register new ones here. */
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(BenchPlannerCommand::new, io.dilemma.operator.bench.BenchOperatorCommand::new);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
