package io.dilemma.worker.serving.head;

import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.worker.serving.grpc.v1.ShardTiming;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.Sampling;
import io.dilemma.worker.serving.pipeline.ShardCompute;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.pipeline.ShardOutput;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generation at the head: embeds on the origin, runs the head's layers, sends the hidden state down
 * the chain and feeds back the token the last shard sampled. Token ids stay in here; only frames
 * leave. Each request is its own session, so requests run concurrently.
 */
public final class CompletionEngine {
  private final String planId;
  private final ShardCompute head;
  private final Optional<Downstream> next;
  private final int vocabSize;
  private final ServingMetrics metrics;

  /** {@code next} is empty when the head is the whole model. */
  public CompletionEngine(String planId, ShardCompute head, Optional<Downstream> next, int vocabSize, ServingMetrics metrics) {
    this.planId = planId;
    this.head = head;
    this.next = next;
    this.vocabSize = vocabSize;
    this.metrics = metrics;
  }

  public int maxPositions() {
    return head.maxPositions();
  }

  /** Up to {@code maxTokens} tokens; fewer when {@code listener} asks to stop. */
  public Completion complete(long[] prompt, int maxTokens, Sampling sampling, TokenListener listener)
      throws ShardFailure {
    long sessionId = ThreadLocalRandom.current().nextLong();
    long start = System.nanoTime();
    long[] generated = new long[maxTokens];
    long firstToken = 0;
    long decodeCompute = 0;
    long decodeCodec = 0;
    int count = 0;
    try {
      long[] chunk = prompt;
      int position = 0;
      // what every shard reserves KV cache for when the session starts
      int sessionPositions = prompt.length + maxTokens;
      for (int i = 0; i < maxTokens; i++) {
        ShardOutput own = head.headStep(sessionId, chunk, position, sessionPositions, sampling);
        StepReply reply =
            own.frame() == null ? null : downstream().forward(request(sessionId, position, sessionPositions, own, sampling));
        long token = reply == null ? own.token() : checkedToken(reply);
        if (i == 0) {
          firstToken = System.nanoTime() - start;
          metrics.firstToken(firstToken / 1e9);
        } else {
          decodeCompute += own.computeNanos() + (reply == null ? 0 : computeOf(reply));
          decodeCodec += own.codecNanos() + (reply == null ? 0 : codecOf(reply));
        }
        generated[i] = token;
        count++;
        if (!listener.onToken(token)) {
          break;
        }
        position += chunk.length;
        chunk = new long[] {token};
      }
    } finally {
      head.endSession(sessionId);
      next.ifPresent(link -> link.endSession(sessionId));
    }
    long total = System.nanoTime() - start;
    metrics.completed(total / 1e9, count);
    return new Completion(Arrays.copyOf(generated, count), firstToken, count == 0 ? 0 : total - firstToken, decodeCompute, decodeCodec);
  }

  /** Ready when every shard down the chain answers for this plan. */
  public void checkChain() throws ShardFailure {
    if (next.isPresent()) {
      next.get().checkChain(planId);
    }
  }

  private Downstream downstream() throws ShardFailure {
    return next.orElseThrow(
        () -> new ShardFailure(head.shardIndex(), ShardFailure.Kind.REJECTED, "shard " + head.shardIndex() + " produced a frame but has no next shard"));
  }

  /** The last shard's token is checked like any input: a shard is not trusted to stay in the vocabulary. */
  private long checkedToken(StepReply reply) throws ShardFailure {
    long token = reply.getToken();
    if (token < 0 || token >= vocabSize) {
      throw new ShardFailure(head.shardIndex() + 1, ShardFailure.Kind.REJECTED,
          "the chain returned token " + token + ", outside the vocabulary of " + vocabSize);
    }
    return token;
  }

  private StepRequest request(long sessionId, int position, int sessionPositions, ShardOutput own, Sampling sampling) {
    return StepRequest.newBuilder()
        .setPlanId(planId)
        .setSessionId(sessionId)
        .setStartPosition(position)
        .setSessionPositions(position == 0 ? sessionPositions : 0)
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
