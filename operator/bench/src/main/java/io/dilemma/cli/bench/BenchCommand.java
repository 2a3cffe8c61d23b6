package io.dilemma.cli.bench;

import io.dilemma.cli.CommandGroup;
import io.dilemma.cli.DilemmaCli;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code dilemma bench ...}: benchmarks that print tables, never timed tests. Main class of the
 * bench jar, which {@code deploy/dilemma bench} runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark.")
public final class BenchCommand implements CommandGroup {
  /** Every benchmark. Register new ones here. */
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(BenchPlannerCommand::new, io.dilemma.operator.bench.BenchOperatorCommand::new);
  }

  public static void main(String[] args) {
    System.exit(DilemmaCli.commandLine(new BenchCommand()).execute(args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
