package io.dilemma.worker.serving.pipeline;

import io.dilemma.worker.serving.grpc.v1.ChainCheckReply;
import io.dilemma.worker.serving.grpc.v1.ChainCheckRequest;
import io.dilemma.worker.serving.grpc.v1.EndSessionReply;
import io.dilemma.worker.serving.grpc.v1.EndSessionRequest;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The connection from one shard to the next: one long-lived bidirectional stream carries the
 * steps of every session, so a step costs one message each way instead of a call (headers, a
 * new HTTP/2 stream, a thread hand-off per side). Every step has its own deadline; when the
 * stream fails, its steps fail and the next step opens a new stream.
 */
public final class NextShardLink implements AutoCloseable {
  /** A shard gives up on the shards after it this much earlier than its caller gives up on it. */
  static final long HOP_MARGIN_MILLIS = 250;

  private final int fromShard;
  private final int toShard;
  private final int lastShard;
  private final String address;
  private final long timeoutMillis;
  private final ServingMetrics metrics;
  private final ManagedChannel channel;
  private final Object streamLock = new Object();
  private StepStream stream; // guarded by streamLock

  /**
   * @param lastShard index of the plan's last shard: a failure reported for any other shard
   *     beyond this one is not believed
   * @param credentials TLS (mTLS) or plaintext, see {@code ShardTls}
   */
  public NextShardLink(
      int fromShard,
      int lastShard,
      String address,
      Duration timeout,
      int maxMessageBytes,
      ChannelCredentials credentials,
      ServingMetrics metrics) {
    this.fromShard = fromShard;
    this.toShard = fromShard + 1;
    this.lastShard = lastShard;
    this.address = address;
    this.timeoutMillis = timeout.toMillis();
    this.metrics = metrics;
    this.channel =
        NettyChannelBuilder.forTarget(address, credentials)
            .maxInboundMessageSize(maxMessageBytes)
            // replies only complete a future or write to the upstream stream: no hand-off needed
            .directExecutor()
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .build();
  }

  public String address() {
    return address;
  }

  public int toShard() {
    return toShard;
  }

  /** Sends one step and waits for the token; how the head drives the chain. */
  public StepReply forward(StepRequest request) throws ShardFailure {
    try {
      return send(request, 0).get();
    } catch (ExecutionException e) {
      throw asFailure(e.getCause(), timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShardFailure(toShard, Kind.UNAVAILABLE, "interrupted while waiting for shard " + toShard);
    }
  }

  /**
   * Sends one step; the future completes with the reply, or fails with a {@link ShardFailure}.
   *
   * @param callerBudgetMillis how long the caller of this shard still waits, 0 for no bound
   */
  public CompletableFuture<StepReply> send(StepRequest request, long callerBudgetMillis) {
    long timeout = effectiveTimeoutMillis(callerBudgetMillis);
    StepRequest sent = request.toBuilder().setBudgetMillis((int) timeout).build();
    Pending pending = new Pending(request.getSessionId(), request.getStartPosition(), request.getActivations().size(), timeout);
    CompletableFuture<StepReply> reply = pending.future;
    StepStream target = currentStream();
    if (!target.start(pending)) {
      return reply;
    }
    reply.orTimeout(timeout, TimeUnit.MILLISECONDS)
        .whenComplete((value, error) -> {
          if (unwrap(error) instanceof TimeoutException) {
            target.abandon(pending);
          }
        });
    target.write(sent, pending);
    return reply.exceptionallyCompose(error -> CompletableFuture.failedFuture(asFailure(error, timeout)));
  }

  /** Frees the session down the chain; best effort, since the TTL frees it anyway. */
  public void endSession(long sessionId) {
    ShardPipelineGrpc.newStub(channel)
        .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
        .endSession(EndSessionRequest.newBuilder().setSessionId(sessionId).build(), IGNORE);
  }

  public ChainCheckReply checkChain(String planId) throws ShardFailure {
    try {
      return checkChainAsync(planId, 0).get();
    } catch (ExecutionException e) {
      throw asFailure(e.getCause(), timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShardFailure(toShard, Kind.UNAVAILABLE, "interrupted while checking shard " + toShard);
    }
  }

  /** The chain check without blocking a thread: how a shard's gRPC handler asks the rest of the chain. */
  public CompletableFuture<ChainCheckReply> checkChainAsync(String planId, long callerBudgetMillis) {
    long timeout = effectiveTimeoutMillis(callerBudgetMillis);
    CompletableFuture<ChainCheckReply> result = new CompletableFuture<>();
    ShardPipelineGrpc.newStub(channel)
        .withDeadlineAfter(timeout, TimeUnit.MILLISECONDS)
        .checkChain(
            ChainCheckRequest.newBuilder().setPlanId(planId).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(ChainCheckReply value) {
                result.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(callFailure(t, timeout));
              }

              @Override
              public void onCompleted() {
                result.completeExceptionally(
                    new ShardFailure(toShard, Kind.UNAVAILABLE, "shard " + toShard + " at " + address + " answered the chain check without a reply"));
              }
            });
    return result;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  /** Within a step from the previous shard, gives up a margin before the caller does. */
  long effectiveTimeoutMillis(long callerBudgetMillis) {
    if (callerBudgetMillis <= 0) {
      return timeoutMillis;
    }
    return Math.max(1, Math.min(timeoutMillis, callerBudgetMillis - HOP_MARGIN_MILLIS));
  }

  private StepStream currentStream() {
    synchronized (streamLock) {
      if (stream == null || stream.failed) {
        stream = new StepStream();
        stream.open();
      }
      return stream;
    }
  }

  private ShardFailure asFailure(Throwable error, long timeout) {
    Throwable cause = unwrap(error);
    if (cause instanceof ShardFailure failure) {
      return failure;
    }
    if (cause instanceof TimeoutException) {
      return new ShardFailure(toShard, Kind.UNAVAILABLE, "shard " + toShard + " at " + address + " did not answer within " + timeout + " ms");
    }
    return new ShardFailure(toShard, Kind.UNAVAILABLE, "shard " + toShard + " at " + address + " failed: " + StepErrors.printable(String.valueOf(cause)));
  }

  private ShardFailure callFailure(Throwable error, long timeout) {
    // Without this a restarted shard stays "down" for the channel's reconnect backoff (up to minutes).
    channel.resetConnectBackoff();
    StatusRuntimeException status =
        error instanceof StatusRuntimeException e ? e : Status.fromThrowable(error).asRuntimeException();
    return FailureStatus.fromCall(status, toShard, lastShard, address, timeout);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException || cause instanceof ExecutionException) {
      if (cause.getCause() == null) {
        break;
      }
      cause = cause.getCause();
    }
    return cause;
  }

  /** A step waiting for its reply. */
  private static final class Pending {
    final long sessionId;
    final int startPosition;
    final int frameBytes;
    final long timeoutMillis;
    final long sentNanos = System.nanoTime();
    final CompletableFuture<StepReply> future = new CompletableFuture<>();

    Pending(long sessionId, int startPosition, int frameBytes, long timeoutMillis) {
      this.sessionId = sessionId;
      this.startPosition = startPosition;
      this.frameBytes = frameBytes;
      this.timeoutMillis = timeoutMillis;
    }
  }

  /** One open stream and the steps sent on it. */
  private final class StepStream implements ClientResponseObserver<StepRequest, StepReply> {
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private ClientCallStreamObserver<StepRequest> requests;
    volatile boolean failed;
    private volatile StatusRuntimeException failure;

    void open() {
      ShardPipelineGrpc.newStub(channel).steps(this);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StepRequest> requestStream) {
      this.requests = requestStream;
    }

    /** Registers the step; false (with the future failed) when its session already has one in flight. */
    boolean start(Pending step) {
      Pending earlier = pending.putIfAbsent(step.sessionId, step);
      if (earlier != null) {
        step.future.completeExceptionally(
            new ShardFailure(fromShard, Kind.REJECTED, "session " + Long.toHexString(step.sessionId) + " already has a step in flight to shard " + toShard));
        return false;
      }
      if (failed) {
        // a channel that cannot connect fails a new stream at once, before its first step
        StatusRuntimeException why = failure;
        fail(step, why != null ? why : Status.UNAVAILABLE.withDescription("stream closed").asRuntimeException());
        return false;
      }
      return true;
    }

    void write(StepRequest request, Pending step) {
      try {
        synchronized (this) {
          requests.onNext(request);
        }
      } catch (RuntimeException closed) {
        fail(step, Status.fromThrowable(closed).asRuntimeException());
      }
    }

    /** The step timed out: a late reply for it is dropped. */
    void abandon(Pending step) {
      pending.remove(step.sessionId, step);
      channel.resetConnectBackoff();
    }

    @Override
    public void onNext(StepReply reply) {
      Pending step = pending.get(reply.getSessionId());
      if (step == null || step.startPosition != reply.getStartPosition() || !pending.remove(step.sessionId, step)) {
        return; // the reply to a step that timed out
      }
      if (reply.hasError()) {
        step.future.completeExceptionally(StepErrors.fromProto(reply.getError(), toShard, lastShard, address));
        return;
      }
      long roundTrip = System.nanoTime() - step.sentNanos;
      long downstream = reply.getTimingsCount() > 0 ? reply.getTimings(0).getHandlingNanos() : 0;
      metrics.linkSent(fromShard, toShard, step.frameBytes, Math.max(0, roundTrip - downstream) / 1e9);
      step.future.complete(reply);
    }

    @Override
    public void onError(Throwable error) {
      StatusRuntimeException status = Status.fromThrowable(error).asRuntimeException();
      failure = status;
      failed = true;
      for (Pending step : pending.values()) {
        fail(step, status);
      }
    }

    @Override
    public void onCompleted() {
      onError(Status.UNAVAILABLE.withDescription("shard " + toShard + " closed the step stream").asRuntimeException());
    }

    private void fail(Pending step, StatusRuntimeException status) {
      if (pending.remove(step.sessionId, step)) {
        step.future.completeExceptionally(callFailure(status, step.timeoutMillis));
      }
    }
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
