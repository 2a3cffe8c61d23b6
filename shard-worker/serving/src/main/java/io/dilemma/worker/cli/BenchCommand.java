package io.dilemma.worker.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks; see the subcommands.")
public final class BenchCommand {}
