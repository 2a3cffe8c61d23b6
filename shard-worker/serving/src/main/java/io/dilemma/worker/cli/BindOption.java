package io.dilemma.worker.cli;

import picocli.CommandLine.Option;

/** {@code --bind}: the interface a serving command listens on, declared once for all of them. */
final class BindOption {
  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "interface to listen on (default ${DEFAULT-VALUE})")
  String address;
}
