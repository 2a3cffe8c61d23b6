package io.dilemma.worker.bench.quality;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench quality}, run from this harness module (it needs the operator's planner on the classpath). */
@Command(name = "quality-bench", mixinStandardHelpOptions = true, description = "Quality bench harness.")
public final class QualityBenchMain {
  private QualityBenchMain() {}

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new QualityBenchMain());
    CommandLine bench = new CommandLine(new BenchGroup());
    bench.addSubcommand(new BenchQualityCommand());
    cli.addSubcommand("bench", bench);
    return cli;
  }

  /**
   * Runs on a thread with a 64 MiB stack: with the operator's jars on the classpath, ONNX Runtime's
   * session creation overflowed the default 1 MiB main-thread stack (a segfault, exit 139, no JVM
   * crash log; measured here, fixed by -Xss16m).
   */
  public static void main(String[] args) throws InterruptedException {
    int[] exit = new int[1];
    Thread bench = new Thread(null, () -> exit[0] = commandLine().execute(args), "bench", 64L << 20);
    bench.start();
    bench.join();
    System.exit(exit[0]);
  }

  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.")
  static final class BenchGroup {}
}
