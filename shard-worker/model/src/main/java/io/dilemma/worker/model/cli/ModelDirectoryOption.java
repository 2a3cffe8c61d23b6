package io.dilemma.worker.model.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model DIR}: the model directory a command reads, declared once for every command. */
public final class ModelDirectoryOption {
  @Option(names = "--model", required = true, description = "model directory (from synth, import or pack)")
  private Path model;

  public Path path() {
    return model;
  }
}
