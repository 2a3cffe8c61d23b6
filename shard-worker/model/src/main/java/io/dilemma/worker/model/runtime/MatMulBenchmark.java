package io.dilemma.worker.model.runtime;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dilemma.worker.model.graph.GraphBuilder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The node's compute throughput as the shards will see it (published by the prober as
 * {@code dilemma.io/gflops}, recorded by the profiler beside its measured times): an fp32 MatMul in ONNX Runtime, through
 * {@link OrtSessions}, so with exactly the shard runtime's thread pool and spinning settings.
 *
 * <p>Each of {@code windows} timed windows multiplies until {@code window} of wall time has passed
 * and counts its mean rate. A window must span many CFS periods (ten of the default 100 ms in one
 * second): a node capped by a quota runs at full speed until the period's quota is spent, so one
 * MatMul that fits into a period would report the burst, not the throttled rate the shards get.
 * The best window counts: one slowed by a neighbour says something about the neighbour, which the
 * live-load share reports, not about the node.
 *
 * @param size the square matrices' side; 512 takes about 0.27 GFLOP per multiplication
 * @param windows timed windows, after one warm-up multiplication
 * @param window the least wall time of one window
 */
public record MatMulBenchmark(int size, int windows, Duration window) {

  /**
   * The best window.
   *
   * @param flopsPerSecond its floating-point operations per second
   * @param multiplications how many MatMuls it ran
   * @param seconds its wall time, at least {@link #window()}
   */
  public record Throughput(double flopsPerSecond, int multiplications, double seconds) {}

  /**
   * The benchmark as the prober runs it for {@code dilemma.io/gflops} with its default options
   * ({@code --matmul-size 512}, 3 windows, {@code --matmul-window PT1S}): the profiler measures the
   * same figure, so measured times transfer to another node by the ratio of the two figures.
   */
  public static MatMulBenchmark asPublished() {
    return new MatMulBenchmark(512, 3, Duration.ofSeconds(1));
  }

  public MatMulBenchmark {
    if (size < 1 || windows < 1) throw new IllegalArgumentException("MatMul benchmark: size and windows must be positive");
  }

  /** Floating-point operations per second of the best window. */
  public double flopsPerSecond() throws OrtException {
    return measure().flopsPerSecond();
  }

  public Throughput measure() throws OrtException {
    GraphBuilder graph = new GraphBuilder("probe_matmul");
    Random random = new Random(14);
    float[] weights = new float[size * size];
    for (int i = 0; i < weights.length; i++) weights[i] = random.nextFloat() - 0.5f;
    String w = graph.floats("w", new int[] {size, size}, weights);
    graph.input("x", TensorProto.DataType.FLOAT, size, size);
    graph.node("MatMul", "y", List.of("x", w));
    graph.output("y", TensorProto.DataType.FLOAT, size, size);
    float[] input = new float[size * size];
    for (int i = 0; i < input.length; i++) input[i] = random.nextFloat() - 0.5f;
    try (OrtSession session = OrtSessions.create(graph.build().toByteArray());
        OnnxTensor x = OnnxTensor.createTensor(OrtSessions.environment(), FloatBuffer.wrap(input), new long[] {size, size})) {
      session.run(Map.of("x", x)).close();
      double flopsPerMultiplication = 2.0 * size * size * size;
      Throughput best = null;
      for (int i = 0; i < windows; i++) {
        long start = System.nanoTime();
        long elapsed;
        int multiplications = 0;
        do {
          session.run(Map.of("x", x)).close();
          multiplications++;
          elapsed = System.nanoTime() - start;
        } while (elapsed < window.toNanos());
        double seconds = elapsed / 1e9;
        Throughput measured = new Throughput(multiplications * flopsPerMultiplication / seconds, multiplications, seconds);
        if (best == null || measured.flopsPerSecond() > best.flopsPerSecond()) best = measured;
      }
      return best;
    }
  }
}
