package io.dilemma.worker.serving.bench;

import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.CutQuota;
import io.dilemma.worker.serving.frame.DecodedFrame;
import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.frame.MalformedFrameException;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Throughput of the cut codec on one thread: encode (rank, quantize, pack into a frame) and decode
 * (validate, unpack, dequantize) of a realistic chunk, in GB/s of fp32 activations. Warms up for
 * the same time it measures so the JIT has compiled both loops, then reports the median of five
 * rounds.
 */
public final class CutCodecBenchmark {
  public record Result(double encodeGigabytesPerSecond, double decodeGigabytesPerSecond) {
    public double roundTripGigabytesPerSecond() {
      return 1 / (1 / encodeGigabytesPerSecond + 1 / decodeGigabytesPerSecond);
    }
  }

  private static final int ROUNDS = 5;

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
    measure(hidden, attention, width, cut, limits, measure);
    Result[] rounds = new Result[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      rounds[i] = measure(hidden, attention, width, cut, limits, measure.dividedBy(ROUNDS));
    }
    // the median round: a shared machine's hiccups land in the other rounds
    double[] encode = java.util.Arrays.stream(rounds).mapToDouble(Result::encodeGigabytesPerSecond).sorted().toArray();
    double[] decode = java.util.Arrays.stream(rounds).mapToDouble(Result::decodeGigabytesPerSecond).sorted().toArray();
    return new Result(encode[ROUNDS / 2], decode[ROUNDS / 2]);
  }

  private static Result measure(
      float[] hidden, float[] attention, int width, CutQuantization cut, FrameLimits limits, Duration duration) {
    long bytes = 4L * hidden.length;
    long encodeNanos = 0;
    long decodeNanos = 0;
    long rounds = 0;
    long sink = 0;
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      byte[] frame = ActivationFrameCodec.encode(hidden, width, CutQuota.start().choose(attention, cut.rho()), cut);
      long encoded = System.nanoTime();
      DecodedFrame decoded;
      try {
        decoded = ActivationFrameCodec.decode(frame, limits);
      } catch (MalformedFrameException e) {
        throw new IllegalStateException("the codec rejected its own frame: " + e.getMessage(), e);
      }
      long done = System.nanoTime();
      sink += decoded.hidden().length + frame[frame.length - 1];
      encodeNanos += encoded - start;
      decodeNanos += done - encoded;
      rounds++;
    }
    if (sink == 42) {
      System.out.print("");
    }
    return new Result(rounds * bytes / (double) encodeNanos, rounds * bytes / (double) decodeNanos);
  }
}
