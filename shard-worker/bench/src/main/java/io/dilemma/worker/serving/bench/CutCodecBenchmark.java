package io.dilemma.worker.serving.bench;

import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.CutQuota;
import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.frame.MalformedFrameException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Throughput of the cut codec on one thread: encode (rank tokens, quantize, pack into a frame) and
 * decode (validate, unpack, dequantize) of a realistic chunk, in GB/s of fp32 activations.
 *
 * <p>Time is the thread's CPU time, not wall time: the target is "per core", and on a shared
 * machine wall time mostly measures the other tenants. Warms up for as long as it measures, then
 * reports the median of five rounds.
 */
public final class CutCodecBenchmark {
  private static final int ROUNDS = 5;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public record Result(double encodeGigabytesPerSecond, double decodeGigabytesPerSecond) {
    /** Encode then decode of the same bytes: the harmonic combination of the two rates. */
    public double roundTripGigabytesPerSecond() {
      return 1 / (1 / encodeGigabytesPerSecond + 1 / decodeGigabytesPerSecond);
    }
  }

  private CutCodecBenchmark() {}

  public static Result run(int width, int tokens, double rho, Duration measure) {
    SplittableRandom random = new SplittableRandom(11);
    float[] hidden = new float[width * tokens];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    float[] attention = new float[tokens];
    for (int i = 0; i < tokens; i++) {
      attention[i] = (float) random.nextDouble();
    }
    CutQuantization cut = new CutQuantization(rho, 8, 4);
    FrameLimits limits = new FrameLimits(width, tokens);
    round(hidden, attention, width, cut, limits, measure);
    double[] encode = new double[ROUNDS];
    double[] decode = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      Result result = round(hidden, attention, width, cut, limits, measure.dividedBy(ROUNDS));
      encode[i] = result.encodeGigabytesPerSecond();
      decode[i] = result.decodeGigabytesPerSecond();
    }
    Arrays.sort(encode);
    Arrays.sort(decode);
    return new Result(encode[ROUNDS / 2], decode[ROUNDS / 2]);
  }

  private static Result round(
      float[] hidden, float[] attention, int width, CutQuantization cut, FrameLimits limits, Duration duration) {
    long bytes = 4L * hidden.length;
    long deadline = System.nanoTime() + duration.toNanos() / 2;
    long frames = 0;
    byte[] frame = null;
    long start = THREADS.getCurrentThreadCpuTime();
    while (System.nanoTime() < deadline) {
      frame = ActivationFrameCodec.encode(hidden, width, CutQuota.start().choose(attention, cut.rho()), cut);
      frames++;
    }
    double encodeSeconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
    deadline = System.nanoTime() + duration.toNanos() / 2;
    long decodes = 0;
    long sink = 0;
    start = THREADS.getCurrentThreadCpuTime();
    try {
      while (System.nanoTime() < deadline) {
        sink += ActivationFrameCodec.decode(frame, limits).hidden().length;
        decodes++;
      }
    } catch (MalformedFrameException e) {
      throw new IllegalStateException("the codec rejected its own frame: " + e.getMessage(), e);
    }
    double decodeSeconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
    if (sink != decodes * hidden.length) {
      throw new IllegalStateException("decoded frames have the wrong size");
    }
    return new Result(frames * bytes / encodeSeconds / 1e9, decodes * bytes / decodeSeconds / 1e9);
  }
}
