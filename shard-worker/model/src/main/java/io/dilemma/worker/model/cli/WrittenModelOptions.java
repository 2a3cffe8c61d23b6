package io.dilemma.worker.model.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a command that creates a model directory writes it, and at which widths. */
final class WrittenModelOptions {
  @Option(names = "--out", required = true, description = "model directory to create")
  Path out;

  @Option(names = "--bits", defaultValue = "32", description = "bit widths to write for every layer, e.g. 32,8,4")
  private String bits;

  List<Integer> widths() {
    return BitList.parse(bits);
  }
}
