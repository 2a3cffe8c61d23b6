package io.dilemma.prober.cli;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.commandline.ManifestVersion;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of dilemma-prober.jar. Errors and exit codes follow {@link DilemmaCommandLine}. */
@Command(
    name = "dilemma-prober",
    versionProvider = ProberMain.Version.class,
    description = "Measures links, compute and live CPU load for the Dilemma operator.")
public final class ProberMain implements CommandGroup {
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(ProbeCommand::new);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return DilemmaCommandLine.of(new ProberMain());
  }

  /** {@code dilemma-prober --version}, from the prober jar's manifest. */
  public static final class Version extends ManifestVersion {
    public Version() {
      super("dilemma-prober");
    }
  }
}
