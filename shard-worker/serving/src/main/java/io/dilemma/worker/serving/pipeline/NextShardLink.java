package io.dilemma.worker.serving.pipeline;

import io.dilemma.worker.serving.grpc.v1.ChainCheckReply;
import io.dilemma.worker.serving.grpc.v1.ChainCheckRequest;
import io.dilemma.worker.serving.grpc.v1.EndSessionReply;
import io.dilemma.worker.serving.grpc.v1.EndSessionRequest;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The gRPC connection from one shard to the next, with a deadline on every call. */
public final class NextShardLink implements AutoCloseable {
  private static final long HOP_MARGIN_MILLIS = 250;
  private final int fromShard;
  private final int toShard;
  private final String address;
  private final long timeoutMillis;
  private final ServingMetrics metrics;
  private final ManagedChannel channel;

  public NextShardLink(int fromShard, String address, Duration timeout, int maxMessageBytes, ServingMetrics metrics) {
    this.fromShard = fromShard;
    this.toShard = fromShard + 1;
    this.address = address;
    this.timeoutMillis = timeout.toMillis();
    this.metrics = metrics;
    this.channel =
        NettyChannelBuilder.forTarget(address)
            .usePlaintext()
            .maxInboundMessageSize(maxMessageBytes)
            .build();
  }

  public String address() {
    return address;
  }

  public int toShard() {
    return toShard;
  }

  /**
   * Sends one step and waits for the token. Within a server call the caller's deadline also
   * applies, so a chain of shards never waits longer than the head does.
   */
  public StepReply forward(StepRequest request) throws ShardFailure {
    long sent = System.nanoTime();
    long timeout = effectiveTimeoutMillis();
    StepReply reply;
    try {
      reply = stub(timeout).forward(request);
    } catch (StatusRuntimeException error) {
      throw failure(error, timeout);
    }
    long roundTrip = System.nanoTime() - sent;
    long downstream = reply.getTimingsCount() > 0 ? reply.getTimings(0).getHandlingNanos() : 0;
    metrics.linkSent(fromShard, toShard, request.getActivations().size(), Math.max(0, roundTrip - downstream) / 1e9);
    return reply;
  }

  /** Frees the session down the chain; best effort, since the TTL frees it anyway. */
  public void endSession(long sessionId) {
    ShardPipelineGrpc.newStub(channel)
        .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
        .endSession(EndSessionRequest.newBuilder().setSessionId(sessionId).build(), IGNORE);
  }

  public ChainCheckReply checkChain(String planId) throws ShardFailure {
    long timeout = effectiveTimeoutMillis();
    try {
      return stub(timeout).checkChain(ChainCheckRequest.newBuilder().setPlanId(planId).build());
    } catch (StatusRuntimeException error) {
      throw failure(error, timeout);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  private ShardPipelineGrpc.ShardPipelineBlockingStub stub(long timeout) {
    return ShardPipelineGrpc.newBlockingStub(channel).withDeadlineAfter(timeout, TimeUnit.MILLISECONDS);
  }

  /**
   * Inside a call from the previous shard, gives up a margin before the caller does, so that a hung
   * shard further down is reported by name instead of every hop timing out at once and the head
   * blaming its direct neighbour.
   */
  private long effectiveTimeoutMillis() {
    Deadline inherited = Context.current().getDeadline();
    if (inherited == null) {
      return timeoutMillis;
    }
    return Math.max(1, Math.min(timeoutMillis, inherited.timeRemaining(TimeUnit.MILLISECONDS) - HOP_MARGIN_MILLIS));
  }

  private ShardFailure failure(StatusRuntimeException error, long timeout) {
    // Without this a restarted shard stays "down" for the channel's reconnect backoff (up to minutes).
    channel.resetConnectBackoff();
    return FailureStatus.fromCall(error, toShard, address, timeout);
  }

  private static final StreamObserver<EndSessionReply> IGNORE =
      new StreamObserver<>() {
        @Override
        public void onNext(EndSessionReply value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
}
