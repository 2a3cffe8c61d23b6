package io.dilemma.worker.bench.quality;

import io.dilemma.commandline.CommandGroup;
import io.dilemma.commandline.DilemmaCommandLine;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench quality}, run from this harness module (it needs the operator's planner on the
 * classpath). Errors and exit codes follow {@link DilemmaCommandLine}.
 */
@Command(name = "quality-bench", description = "Quality bench harness.")
public final class QualityBenchMain implements CommandGroup {
  @Override
  public List<Supplier<Object>> subcommands() {
    return List.of(BenchGroup::new);
  }

  public static CommandLine commandLine() {
    return DilemmaCommandLine.of(new QualityBenchMain());
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

  @Command(name = "bench", description = "Benchmarks.")
  static final class BenchGroup implements CommandGroup {
    @Override
    public List<Supplier<Object>> subcommands() {
      return List.of(BenchQualityCommand::new);
    }
  }
}
