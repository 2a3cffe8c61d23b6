package io.dilemma.cli;

import io.dilemma.commandline.ManifestVersion;

/** {@code dilemma --version}, from the operator jar's manifest. */
public final class DilemmaVersion extends ManifestVersion {
  public DilemmaVersion() {
    super("dilemma");
  }
}
