package io.dilemma.prober.bench;

import io.dilemma.worker.model.runtime.MatMulBenchmark;
import java.time.Duration;
import java.util.Locale;

/**
 * `bench matmul`: the prober's compute benchmark in this process, as it runs in the DaemonSet.
 * Arguments: window milliseconds (default 1000; 0 times single MatMuls, the benchmark before
 * windows existed), then optionally windows and size. Run it inside a cgroup with a CFS quota
 * (matmul-under-quota.sh) to see what the prober publishes for a capped node.
 */
public final class BenchMatMul {
  public static void main(String[] args) throws Exception {
    long windowMillis = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    int windows = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    MatMulBenchmark.Throughput best = new MatMulBenchmark(size, windows, Duration.ofMillis(windowMillis)).measure();
    System.out.printf(Locale.ROOT, "window %d ms x %d, size %d: %.2f GFLOP/s (best window: %d MatMuls in %.3f s)%n",
        windowMillis, windows, size, best.flopsPerSecond() / 1e9, best.multiplications(), best.seconds());
  }

  private BenchMatMul() {}
}
