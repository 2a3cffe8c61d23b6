package io.dilemma.prober.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** That the benchmarks run and give plausible magnitudes; their figures are reported by `bench`. */
class ComputeBenchmarksTest {
  @Test
  void matMulRunsInOnnxRuntime() throws Exception {
    double flops = new MatMulBenchmark(128, 3).flopsPerSecond();
    assertThat(flops).isGreaterThan(1e7).isLessThan(1e14);
  }

  @Test
  void streamingReadMeasuresBytesPerSecond() throws Exception {
    double bps = new MemoryBandwidthBenchmark(16 << 20, 2, 2).bytesPerSecond();
    assertThat(bps).isGreaterThan(1e8).isLessThan(1e13);
  }
}
