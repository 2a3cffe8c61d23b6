package io.dilemma.worker.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the Implementation-Version the build writes into the jar's manifest. */
public final class JarVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = JarVersion.class.getPackage().getImplementationVersion();
    return new String[] {"shard-worker " + (version == null ? "(development build, no jar manifest)" : version)
        + " (Java " + Runtime.version() + ", " + System.getProperty("os.arch") + ")"};
  }
}
