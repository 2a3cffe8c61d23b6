package io.dilemma.worker.model.cli;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The model toolkit alone; the shard-worker jar's main registers the same commands. */
@Command(name = "model-tools", description = "OPT model toolkit: synth, import, pack, generate, profile.")
public final class ModelToolsMain implements CommandGroup {
  @Override
  public List<Supplier<Object>> subcommands() {
    return ModelCommands.all();
  }

  public static CommandLine commandLine() {
    return DilemmaCommandLine.of(new ModelToolsMain());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
