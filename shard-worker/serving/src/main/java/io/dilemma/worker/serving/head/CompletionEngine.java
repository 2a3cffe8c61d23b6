package io.dilemma.worker.serving.head;

import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.worker.serving.grpc.v1.ShardTiming;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.Sampling;
import io.dilemma.worker.serving.pipeline.ShardCompute;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.pipeline.ShardOutput;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generation at the head: embeds on the origin, runs the head's layers, sends the hidden state down
 * the chain and feeds back the token the last shard sampled. Token ids stay in here; only frames
 * leave. Each request is its own session, so requests run concurrently.
 */
public final class CompletionEngine {
  private final String planId;
  private final ShardCompute head;
  private final NextShardLink next;
  private final ServingMetrics metrics;

  /** {@code next} is null when the head is the whole model. */
  public CompletionEngine(String planId, ShardCompute head, NextShardLink next, ServingMetrics metrics) {
    this.planId = planId;
    this.head = head;
    this.next = next;
    this.metrics = metrics;
  }

  public int maxPositions() {
    return head.maxPositions();
  }

  public Completion complete(long[] prompt, int maxTokens, Sampling sampling, TokenListener listener)
      throws ShardFailure {
    long sessionId = ThreadLocalRandom.current().nextLong();
    long start = System.nanoTime();
    long[] generated = new long[maxTokens];
    long firstToken = 0;
    long decodeCompute = 0;
    long decodeCodec = 0;
    try {
      long[] chunk = prompt;
      int position = 0;
      for (int i = 0; i < maxTokens; i++) {
        ShardOutput own = head.headStep(sessionId, chunk, position, sampling);
        StepReply reply = own.frame() == null ? null : next.forward(request(sessionId, position, own, sampling));
        long token = reply == null ? own.token() : reply.getToken();
        if (i == 0) {
          firstToken = System.nanoTime() - start;
          metrics.firstToken(firstToken / 1e9);
        } else {
          decodeCompute += own.computeNanos() + (reply == null ? 0 : computeOf(reply));
          decodeCodec += own.codecNanos() + (reply == null ? 0 : codecOf(reply));
        }
        generated[i] = token;
        listener.onToken(token);
        position += chunk.length;
        chunk = new long[] {token};
      }
    } finally {
      head.endSession(sessionId);
      if (next != null) {
        next.endSession(sessionId);
      }
    }
    long total = System.nanoTime() - start;
    metrics.completed(total / 1e9, maxTokens);
    return new Completion(generated, firstToken, maxTokens == 0 ? 0 : total - firstToken, decodeCompute, decodeCodec);
  }

  /** Ready when every shard down the chain answers for this plan. */
  public void checkChain() throws ShardFailure {
    if (next != null) {
      next.checkChain(planId);
    }
  }

  private StepRequest request(long sessionId, int position, ShardOutput own, Sampling sampling) {
    return StepRequest.newBuilder()
        .setPlanId(planId)
        .setSessionId(sessionId)
        .setStartPosition(position)
        .setActivations(UnsafeByteOperations.unsafeWrap(own.frame()))
        .setSampling(
            io.dilemma.worker.serving.grpc.v1.Sampling.newBuilder()
                .setTemperature(sampling.temperature())
                .setSeed(sampling.seed()))
        .build();
  }

  private static long computeOf(StepReply reply) {
    return reply.getTimingsList().stream().mapToLong(ShardTiming::getComputeNanos).sum();
  }

  private static long codecOf(StepReply reply) {
    return reply.getTimingsList().stream().mapToLong(ShardTiming::getCodecNanos).sum();
  }
}
