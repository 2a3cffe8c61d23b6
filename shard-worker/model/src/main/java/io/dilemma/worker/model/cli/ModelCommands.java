package io.dilemma.worker.model.cli;

import io.dilemma.worker.model.profile.HopTimer;
import java.util.List;
import java.util.function.Supplier;

/** The model toolkit's commands, for a CLI main to register as subcommands. */
public final class ModelCommands {
  private ModelCommands() {}

  /** Top-level commands: synth, import, pack, generate, profile; profile times no RPC hop. */
  public static List<Supplier<Object>> all() {
    return all(null);
  }

  /** The same, with {@code profile} timing a cut's round trip through {@code hop}. */
  public static List<Supplier<Object>> all(HopTimer hop) {
    return List.of(SynthCommand::new, ImportCommand::new, PackCommand::new, GenerateCommand::new, () -> new ProfileCommand(hop));
  }
}
