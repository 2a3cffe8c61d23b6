package io.dilemma.worker.cli.bench;

import io.dilemma.worker.serving.bench.CutCodecBenchmark;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "cut-codec",
    mixinStandardHelpOptions = true,
    description = "Cut quantize+pack and unpack throughput on one core, in GB/s of fp32 activations (thread CPU time).")
public final class BenchCutCodecCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--width", defaultValue = "768", description = "hidden size d (default ${DEFAULT-VALUE}, OPT-125m)")
  int width;

  @Option(names = "--tokens", defaultValue = "64", description = "tokens per frame (default ${DEFAULT-VALUE})")
  int tokens;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of 8-bit tokens (default ${DEFAULT-VALUE})")
  double rho;

  @Option(names = "--seconds", defaultValue = "5", description = "measuring time, after as long a warm-up (default ${DEFAULT-VALUE})")
  double seconds;

  @Override
  public Integer call() {
    if (width <= 0 || tokens <= 0 || !(rho >= 0 && rho <= 1) || !(seconds > 0)) {
      spec.commandLine().getErr().println("error: --width and --tokens must be positive, --rho within [0, 1], --seconds > 0");
      return 2;
    }
    CutCodecBenchmark.Result result = CutCodecBenchmark.run(width, tokens, rho, Duration.ofMillis((long) (seconds * 1000)));
    spec.commandLine().getOut().printf(
        "cut codec d=%d, %d tokens, rho=%.2f, 8/4 bits: quantize+pack %.2f GB/s, unpack %.2f GB/s, round trip %.2f GB/s of fp32 input per core%n",
        width, tokens, rho, result.encodeGigabytesPerSecond(), result.decodeGigabytesPerSecond(), result.roundTripGigabytesPerSecond());
    return 0;
  }
}
