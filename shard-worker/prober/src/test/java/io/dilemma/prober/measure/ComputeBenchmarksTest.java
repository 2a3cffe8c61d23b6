package io.dilemma.prober.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dilemma.worker.model.runtime.MatMulBenchmark;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** That the benchmarks run and give plausible magnitudes; their figures are reported by `bench`. */
class ComputeBenchmarksTest {
  @Test
  void matMulRunsInOnnxRuntime() throws Exception {
    double flops = new MatMulBenchmark(128, 2, Duration.ofMillis(50)).flopsPerSecond();
    assertThat(flops).isGreaterThan(1e7).isLessThan(1e14);
  }

  @Test
  void aMatMulWindowSpansItsWallTimeSoACpuQuotaShowsAsItsAverageNotItsBurst() throws Exception {
    // one 64-side MatMul takes well under a millisecond, far less than one 100 ms CFS period
    MatMulBenchmark.Throughput best = new MatMulBenchmark(64, 2, Duration.ofMillis(300)).measure();
    assertThat(best.seconds()).isGreaterThanOrEqualTo(0.3);
    assertThat(best.multiplications()).isGreaterThan(1);
    assertThat(best.flopsPerSecond()).isCloseTo(best.multiplications() * 2.0 * 64 * 64 * 64 / best.seconds(), within(1.0));
  }

  @Test
  void streamingReadMeasuresBytesPerSecond() throws Exception {
    double bps = new MemoryBandwidthBenchmark(16 << 20, 2, 2).bytesPerSecond();
    assertThat(bps).isGreaterThan(1e8).isLessThan(1e13);
  }
}
