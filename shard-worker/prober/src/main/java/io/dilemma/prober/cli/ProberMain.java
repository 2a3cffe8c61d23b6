package io.dilemma.prober.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of dilemma-prober.jar. Exit codes: 0 ok, 2 bad input, 1 other. */
@Command(name = "dilemma-prober", mixinStandardHelpOptions = true,
    subcommands = {ProbeCommand.class},
    description = "Measures links, compute and live CPU load for the Dilemma operator.")
public final class ProberMain {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ProberMain());
    cli.setExitCodeExceptionMapper(e -> e instanceof IllegalArgumentException ? 2 : 1);
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println(e.getMessage());
      return 2;
    });
    return cli;
  }
}
