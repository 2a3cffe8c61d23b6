package io.dilemma.commandline;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of a jar's main: the program's name and the Implementation-Version the build
 * writes into the jar's manifest. Each jar subclasses it once, in one of its own packages, because
 * the manifest read is that of the jar the subclass was loaded from.
 */
public abstract class ManifestVersion implements IVersionProvider {
  private final String program;

  protected ManifestVersion(String program) {
    this.program = program;
  }

  @Override
  public final String[] getVersion() {
    String version = getClass().getPackage().getImplementationVersion();
    return new String[] {program + " " + (version == null ? "(development build, no jar manifest)" : version)
        + " (Java " + Runtime.version() + ", " + System.getProperty("os.arch") + ")"};
  }
}
