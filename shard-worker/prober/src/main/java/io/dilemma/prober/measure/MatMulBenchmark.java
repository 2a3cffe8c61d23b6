package io.dilemma.prober.measure;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dilemma.worker.model.graph.GraphBuilder;
import io.dilemma.worker.model.runtime.OrtSessions;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The node's compute throughput as the shards will see it: an fp32 MatMul in ONNX Runtime, through
 * {@link OrtSessions}, so with exactly the shard runtime's thread pool and spinning settings. The
 * best of {@code runs} timed runs after one warm-up counts: a run slowed by a neighbour says
 * something about the neighbour, which the live-load share reports, not about the hardware.
 *
 * @param size the square matrices' side; 512 takes about 0.27 GFLOP per run
 * @param runs timed runs
 */
public record MatMulBenchmark(int size, int runs) {

  /** Floating-point operations per second. */
  public double flopsPerSecond() throws OrtException {
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
      long best = Long.MAX_VALUE;
      for (int i = 0; i < runs; i++) {
        long t = System.nanoTime();
        session.run(Map.of("x", x)).close();
        best = Math.min(best, System.nanoTime() - t);
      }
      return 2.0 * size * size * size / (best / 1e9);
    }
  }
}
