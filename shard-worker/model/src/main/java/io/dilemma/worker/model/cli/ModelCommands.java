package io.dilemma.worker.model.cli;

import java.util.List;
import java.util.function.Supplier;

/** The model toolkit's commands, for a CLI main to register as subcommands. */
public final class ModelCommands {
  private ModelCommands() {}

  /** Top-level commands: synth, import, pack, generate, profile. */
  public static List<Supplier<Object>> all() {
    return List.of(SynthCommand::new, ImportCommand::new, PackCommand::new, GenerateCommand::new, ProfileCommand::new);
  }
}
