package io.dilemma.worker.model.cli;

import java.util.List;

/** The model toolkit's commands, for a CLI main to register as subcommands. */
public final class ModelCommands {
  private ModelCommands() {}

  /** Top-level commands: synth, import, pack, generate, profile. */
  public static List<Object> all() {
    return List.of(new SynthCommand(), new ImportCommand(), new PackCommand(), new GenerateCommand(), new ProfileCommand());
  }
}
