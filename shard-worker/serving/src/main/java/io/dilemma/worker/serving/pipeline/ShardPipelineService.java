package io.dilemma.worker.serving.pipeline;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.DecodedFrame;
import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.frame.MalformedFrameException;
import io.dilemma.worker.serving.grpc.v1.ChainCheckReply;
import io.dilemma.worker.serving.grpc.v1.ChainCheckRequest;
import io.dilemma.worker.serving.grpc.v1.EndSessionReply;
import io.dilemma.worker.serving.grpc.v1.EndSessionRequest;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.ShardTiming;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC face of a shard after the head: decode, compute, pass on or sample, reply. Handlers
 * never block (they run on the transport's threads); steps run on a fixed pool of compute
 * threads, admitted against the plan's KV budget and a count.
 */
public final class ShardPipelineService extends ShardPipelineGrpc.ShardPipelineImplBase implements AutoCloseable {
  private final String planId;
  private final ShardCompute compute;
  private final NextShardLink next;
  private final FrameLimits limits;
  private final StepLimits stepLimits;
  private final InFlightWork inFlight;
  private final ExecutorService computePool;
  /** The session of the last decode step seen, and when a different session was last seen. */
  private volatile long lastSession;
  private volatile long otherSessionSeenNanos = Long.MIN_VALUE / 2;
  private static final long ALONE_NANOS = 100_000_000;

  /** {@code next} is null on the last shard. */
  public ShardPipelineService(String planId, ShardCompute compute, NextShardLink next, StepLimits stepLimits) {
    this.planId = planId;
    this.compute = compute;
    this.next = next;
    this.limits = new FrameLimits(compute.hiddenSize(), compute.maxPositions());
    this.stepLimits = stepLimits;
    this.inFlight = new InFlightWork(compute.kvBudgetBytes(), stepLimits.maxStepsInFlight());
    AtomicInteger threads = new AtomicInteger();
    // the queue never holds more than maxStepsInFlight tasks: admission comes first
    this.computePool =
        new ThreadPoolExecutor(
            stepLimits.computeThreads(), stepLimits.computeThreads(), 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> {
              Thread thread = new Thread(r, "shard-" + compute.shardIndex() + "-step-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  public ShardPipelineService(String planId, ShardCompute compute, NextShardLink next) {
    this(planId, compute, next, StepLimits.defaults());
  }

  @Override
  public StreamObserver<StepRequest> steps(StreamObserver<StepReply> responses) {
    ServerCallStreamObserver<StepReply> replies = (ServerCallStreamObserver<StepReply>) responses;
    replies.disableAutoRequest();
    StepStream stream = new StepStream(replies);
    replies.setOnCancelHandler(stream::cancelled);
    replies.request(stepLimits.maxStepsPerStream());
    return stream;
  }

  /** Steps in flight on this shard, and the bytes they hold (for tests and metrics). */
  int stepsInFlight() {
    return inFlight.steps();
  }

  int peakStepsInFlight() {
    return inFlight.peakSteps();
  }

  @Override
  public void endSession(EndSessionRequest request, StreamObserver<EndSessionReply> response) {
    compute.endSession(request.getSessionId());
    if (next != null) {
      next.endSession(request.getSessionId());
    }
    response.onNext(EndSessionReply.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void checkChain(ChainCheckRequest request, StreamObserver<ChainCheckReply> response) {
    try {
      checkPlan(request.getPlanId());
    } catch (ShardFailure failure) {
      response.onError(FailureStatus.toStatus(failure));
      return;
    }
    ChainCheckReply own = ChainCheckReply.newBuilder().addShards(compute.shardIndex()).build();
    if (next == null) {
      response.onNext(own);
      response.onCompleted();
      return;
    }
    long budget = io.grpc.Context.current().getDeadline() == null
        ? 0
        : io.grpc.Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS);
    next.checkChainAsync(request.getPlanId(), Math.max(budget, 0)).whenComplete((downstream, error) -> {
      if (error != null) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        ShardFailure failure = cause instanceof ShardFailure f ? f
            : new ShardFailure(next.toShard(), Kind.UNAVAILABLE, "shard " + next.toShard() + " check failed");
        response.onError(FailureStatus.toStatus(failure));
      } else {
        response.onNext(own.toBuilder().addAllShards(downstream.getShardsList()).build());
        response.onCompleted();
      }
    });
  }

  @Override
  public void close() {
    computePool.shutdownNow();
  }

  /** True when no other session has sent a step in the last 100 ms. */
  private boolean onlySessionRecently(long sessionId, long now) {
    if (sessionId != lastSession) {
      lastSession = sessionId;
      otherSessionSeenNanos = now;
    }
    return now - otherSessionSeenNanos > ALONE_NANOS;
  }

  /** One previous shard's stream: its steps, answered in whatever order they finish. */
  private final class StepStream implements StreamObserver<StepRequest> {
    private final ServerCallStreamObserver<StepReply> replies;
    private final AtomicInteger open = new AtomicInteger(1); // steps in flight + 1 until the peer half-closes
    private volatile boolean cancelled;

    StepStream(ServerCallStreamObserver<StepReply> replies) {
      this.replies = replies;
    }

    @Override
    public void onNext(StepRequest request) {
      long received = System.nanoTime();
      int tokens = ActivationFrameCodec.declaredTokens(request.getActivations());
      long bytes = compute.stepWorkingBytes(tokens, request.getStartPosition());
      open.incrementAndGet();
      if (!inFlight.tryReserve(bytes)) {
        reply(failed(request, overloaded(bytes)), 0);
        return;
      }
      if (tokens == 1 && request.getStartPosition() > 0) {
        // A decode step joins the batch of other sessions' decode steps. When it is the only
        // session about, it runs here on the transport thread: handing it to another thread costs
        // a wake-up per hop, which on a loaded machine is most of the hop's latency. With several
        // sessions the transport must keep reading, so that their steps can form the next batch.
        boolean alone = onlySessionRecently(request.getSessionId(), received) && compute.decodeIdle();
        batchedDecode(request, received, bytes, alone);
        return;
      }
      try {
        computePool.execute(() -> run(request, received, bytes));
      } catch (RejectedExecutionException shuttingDown) {
        reply(failed(request, new ShardFailure(compute.shardIndex(), Kind.UNAVAILABLE, "shard " + compute.shardIndex() + " is shutting down")), bytes);
      }
    }

    /** A prefill (or any chunk of several tokens), alone on a compute thread. */
    private void run(StepRequest request, long received, long bytes) {
      if (cancelled) {
        finish(bytes);
        return;
      }
      try {
        checkPlan(request.getPlanId());
        DecodedFrame frame = frameOf(request.getActivations());
        long decoded = System.nanoTime();
        Sampling sampling = new Sampling(request.getSampling().getTemperature(), request.getSampling().getSeed());
        ShardOutput out =
            compute.layerStep(
                request.getSessionId(), frame.hidden(), frame.tokens(), request.getStartPosition(), request.getSessionPositions(), sampling);
        passOn(request, received, decoded, out, bytes);
      } catch (ShardFailure failure) {
        reply(failed(request, failure), bytes);
      } catch (RuntimeException unexpected) {
        reply(failed(request, unexpected(unexpected)), bytes);
      }
    }

    /** A one-token decode step, through the shard's decode batches. */
    private void batchedDecode(StepRequest request, long received, long bytes, boolean runHere) {
      DecodedFrame frame;
      try {
        checkPlan(request.getPlanId());
        frame = frameOf(request.getActivations());
      } catch (ShardFailure failure) {
        reply(failed(request, failure), bytes);
        return;
      }
      long decoded = System.nanoTime();
      compute.decodeStep(request.getSessionId(), frame.hidden(), request.getStartPosition(), runHere)
          .whenComplete((out, error) -> {
            if (error != null) {
              Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
              reply(failed(request, cause instanceof ShardFailure f ? f : unexpected(cause)), bytes);
              return;
            }
            try {
              passOn(request, received, decoded, out, bytes);
            } catch (RuntimeException unexpected) {
              reply(failed(request, unexpected(unexpected)), bytes);
            }
          });
    }

    /** The last shard replies with its token; others send their frame on and reply when the token comes back. */
    private void passOn(StepRequest request, long received, long decoded, ShardOutput out, long bytes) {
      if (out.frame() == null) {
        reply(answer(request, out, received, decoded, StepReply.newBuilder().setToken(out.token()).build()), bytes);
        return;
      }
      long budget = request.getBudgetMillis() == 0 ? 0 : request.getBudgetMillis() - (System.nanoTime() - received) / 1_000_000;
      next.send(request.toBuilder().setActivations(UnsafeByteOperations.unsafeWrap(out.frame())).build(), Math.max(1, budget))
          .whenComplete((reply, error) -> {
            if (error == null) {
              reply(answer(request, out, received, decoded, reply), bytes);
            } else {
              reply(failed(request, asShardFailure(error)), bytes);
            }
          });
    }

    private ShardFailure unexpected(Throwable error) {
      return new ShardFailure(compute.shardIndex(), Kind.UNAVAILABLE,
          "shard " + compute.shardIndex() + " failed the step: " + StepErrors.printable(String.valueOf(error.getMessage())));
    }

    private StepReply answer(StepRequest request, ShardOutput out, long received, long decoded, StepReply downstream) {
      ShardTiming own =
          ShardTiming.newBuilder()
              .setShard(compute.shardIndex())
              .setComputeNanos(out.computeNanos())
              .setCodecNanos(decoded - received + out.codecNanos())
              .setHandlingNanos(System.nanoTime() - received)
              .build();
      return StepReply.newBuilder()
          .setSessionId(request.getSessionId())
          .setStartPosition(request.getStartPosition())
          .setToken(downstream.getToken())
          .addTimings(own)
          .addAllTimings(downstream.getTimingsList())
          .build();
    }

    private StepReply failed(StepRequest request, ShardFailure failure) {
      boolean ownRefusal = (failure.kind() == Kind.REJECTED || failure.kind() == Kind.OVERLOADED)
          && failure.shardIndex() == compute.shardIndex();
      if (!ownRefusal) {
        // the chain lost this step's state somewhere: the session cannot continue here either
        compute.endSession(request.getSessionId());
      }
      return StepReply.newBuilder()
          .setSessionId(request.getSessionId())
          .setStartPosition(request.getStartPosition())
          .setError(StepErrors.toProto(failure))
          .build();
    }

    private ShardFailure overloaded(long bytes) {
      return new ShardFailure(
          compute.shardIndex(),
          Kind.OVERLOADED,
          "shard " + compute.shardIndex() + " is at its limit of in-flight work (RESOURCE_EXHAUSTED: "
              + inFlight.steps() + " steps holding " + inFlight.bytes() + " of " + inFlight.budgetBytes()
              + " bytes; this step needs " + bytes + ")");
    }

    private void reply(StepReply reply, long reservedBytes) {
      if (reservedBytes > 0) {
        inFlight.release(reservedBytes);
      }
      if (!cancelled) {
        synchronized (this) {
          try {
            replies.onNext(reply);
          } catch (RuntimeException closed) {
            cancelled = true;
          }
        }
      }
      finishOne();
    }

    private void finish(long reservedBytes) {
      inFlight.release(reservedBytes);
      finishOne();
    }

    private void finishOne() {
      if (!cancelled) {
        replies.request(1);
      }
      if (open.decrementAndGet() == 0) {
        complete();
      }
    }

    @Override
    public void onError(Throwable t) {
      cancelled = true;
    }

    @Override
    public void onCompleted() {
      if (open.decrementAndGet() == 0) {
        complete();
      }
    }

    void cancelled() {
      cancelled = true;
    }

    private void complete() {
      if (!cancelled) {
        synchronized (this) {
          replies.onCompleted();
        }
      }
    }
  }

  private ShardFailure asShardFailure(Throwable error) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ShardFailure failure
        ? failure
        : new ShardFailure(next.toShard(), Kind.UNAVAILABLE, "shard " + next.toShard() + " failed: " + StepErrors.printable(String.valueOf(cause)));
  }

  private DecodedFrame frameOf(ByteString activations) throws ShardFailure {
    try {
      return ActivationFrameCodec.decode(activations, limits);
    } catch (MalformedFrameException malformed) {
      throw new ShardFailure(compute.shardIndex(), Kind.REJECTED, "shard " + compute.shardIndex() + ": " + malformed.getMessage());
    }
  }

  /** The refusal names the requested plan (cut short) but never the one this shard serves. */
  private void checkPlan(String requested) throws ShardFailure {
    if (!planId.equals(requested)) {
      String shown = requested.length() > 64 ? requested.substring(0, 64) + "…" : requested;
      throw new ShardFailure(
          compute.shardIndex(),
          Kind.REJECTED,
          "shard " + compute.shardIndex() + " does not serve plan \"" + StepErrors.printable(shown)
              + "\" (another plan generation; rollout in progress?)");
    }
  }
}
