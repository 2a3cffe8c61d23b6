package io.dilemma.worker.cli.bench;

import picocli.CommandLine;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.serving.bench.CutCodecBenchmark;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "cut-codec",
    description = "Cut quantize+pack and unpack throughput on one core, in GB/s of fp32 activations (thread CPU time).")
public final class BenchCutCodecCommand extends DilemmaCommand {

  @Option(names = "--width", defaultValue = "768", description = "hidden size d (default ${DEFAULT-VALUE}, OPT-125m)")
  int width;

  @Option(names = "--tokens", defaultValue = "64", description = "tokens per frame (default ${DEFAULT-VALUE})")
  int tokens;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of 8-bit tokens (default ${DEFAULT-VALUE})")
  double rho;

  @Option(names = "--seconds", defaultValue = "5", description = "measuring time, after as long a warm-up (default ${DEFAULT-VALUE})")
  double seconds;

  @Override
  protected int execute() {
    if (width <= 0 || tokens <= 0 || !(rho >= 0 && rho <= 1) || !(seconds > 0)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--width and --tokens must be positive, --rho within [0, 1], --seconds > 0");
    }
    CutCodecBenchmark.Result result = CutCodecBenchmark.run(width, tokens, rho, Duration.ofMillis((long) (seconds * 1000)));
    out().printf(
        "cut codec d=%d, %d tokens, rho=%.2f, 8/4 bits: quantize+pack %.2f GB/s, unpack %.2f GB/s, round trip %.2f GB/s of fp32 input per core%n",
        width, tokens, rho, result.encodeGigabytesPerSecond(), result.decodeGigabytesPerSecond(), result.roundTripGigabytesPerSecond());
    return 0;
  }
}
