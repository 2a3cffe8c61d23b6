package io.dilemma.cli;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dilemma} command: main class of the operator jar. Benchmarks ship in their own jar
 * ({@code operator/bench}). Errors and exit codes follow {@link DilemmaCommandLine}.
 */
@Command(
    name = "dilemma",
    versionProvider = DilemmaVersion.class,
    description = "Plans and runs LLMs across edge machines.")
public final class DilemmaCli implements CommandGroup {
  /** Every top-level subcommand, in help order. Register new ones here. */
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(PlanCommand::new, io.dilemma.operator.cli.OperatorCommand::new);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return DilemmaCommandLine.of(new DilemmaCli());
  }
}
