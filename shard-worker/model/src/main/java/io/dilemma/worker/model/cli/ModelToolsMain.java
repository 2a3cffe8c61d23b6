package io.dilemma.worker.model.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The model toolkit alone; the shard-worker jar's main registers the same commands. */
@Command(name = "model-tools", mixinStandardHelpOptions = true, description = "OPT model toolkit: synth, import, pack, generate, profile.")
public final class ModelToolsMain {
  private ModelToolsMain() {}

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ModelToolsMain());
    ModelCommands.all().forEach(cli::addSubcommand);
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
