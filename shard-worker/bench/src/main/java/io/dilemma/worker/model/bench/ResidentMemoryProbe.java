package io.dilemma.worker.model.bench;

import io.dilemma.worker.model.runtime.Generation;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardDecoder;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM: loads a whole model directory at given per-layer bits, decodes a few tokens,
 * and prints its own resident set size ({@code VmRSS}), the honest measure of what a worker costs.
 */
public final class ResidentMemoryProbe {
  public static final String PREFIX = "rss_bytes=";

  private ResidentMemoryProbe() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int bits = Integer.parseInt(args[1]);
    int layers = Integer.parseInt(args[2]);
    try (ShardRunner runner = ShardRunner.open(model, LayerSelection.wholeModel(layers, bits))) {
      Generation.generate(new ShardDecoder(runner), new long[] {2, 100, 200, 300}, 16, TokenSampler.greedy());
      System.gc();
      System.out.println(PREFIX + residentBytes());
    }
  }

  static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("/proc/self/status has no VmRSS line");
  }

  /** Starts the probe in a fresh JVM with this process's class path; returns its RSS in bytes. */
  public static long measure(Path model, int bits, int layers) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // ONNX Runtime builds OPT-125m's sessions on the main thread: at the default 1 MiB stack it
    // crashes (SIGSEGV, no hs_err) as soon as the class path is a little longer, as under failsafe;
    // 4 MiB stopped being enough once the serving jar gained Jetty and grpc-util.
    command.add("-Xss16m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ResidentMemoryProbe.class.getName());
    command.add(model.toString());
    command.add(Integer.toString(bits));
    command.add(Integer.toString(layers));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    for (String line : output.split("\n")) {
      if (line.startsWith(PREFIX)) {
        return Long.parseLong(line.substring(PREFIX.length()).trim());
      }
    }
    throw new IOException("memory probe exited " + exit + " without a measurement: " + output.lines().findFirst().orElse(""));
  }
}
