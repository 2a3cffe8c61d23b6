package io.dilemma.worker.serving.pipeline;

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
import io.grpc.stub.StreamObserver;

/** The gRPC face of a shard after the head: decode, compute, pass on or sample, reply. */
public final class ShardPipelineService extends ShardPipelineGrpc.ShardPipelineImplBase {
  private final String planId;
  private final ShardCompute compute;
  private final NextShardLink next;
  private final FrameLimits limits;

  /** {@code next} is null on the last shard. */
  public ShardPipelineService(String planId, ShardCompute compute, NextShardLink next) {
    this.planId = planId;
    this.compute = compute;
    this.next = next;
    this.limits = new FrameLimits(compute.hiddenSize(), compute.maxPositions());
  }

  @Override
  public void forward(StepRequest request, StreamObserver<StepReply> response) {
    long received = System.nanoTime();
    try {
      checkPlan(request.getPlanId());
      DecodedFrame frame = decode(request);
      long decoded = System.nanoTime();
      Sampling sampling = new Sampling(request.getSampling().getTemperature(), request.getSampling().getSeed());
      ShardOutput out =
          compute.layerStep(request.getSessionId(), frame.hidden(), frame.tokens(), request.getStartPosition(), sampling);
      StepReply downstream =
          out.frame() == null
              ? StepReply.newBuilder().setToken(out.token()).build()
              : next.forward(
                  request.toBuilder().setActivations(UnsafeByteOperations.unsafeWrap(out.frame())).build());
      ShardTiming own =
          ShardTiming.newBuilder()
              .setShard(compute.shardIndex())
              .setComputeNanos(out.computeNanos())
              .setCodecNanos(decoded - received + out.codecNanos())
              .setHandlingNanos(System.nanoTime() - received)
              .build();
      response.onNext(
          StepReply.newBuilder().setToken(downstream.getToken()).addTimings(own).addAllTimings(downstream.getTimingsList()).build());
      response.onCompleted();
    } catch (ShardFailure failure) {
      if (failure.kind() != Kind.REJECTED || failure.shardIndex() != compute.shardIndex()) {
        compute.endSession(request.getSessionId());
      }
      response.onError(FailureStatus.toStatus(failure));
    }
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
      ChainCheckReply.Builder reply = ChainCheckReply.newBuilder().addShards(compute.shardIndex());
      if (next != null) {
        reply.addAllShards(next.checkChain(request.getPlanId()).getShardsList());
      }
      response.onNext(reply.build());
      response.onCompleted();
    } catch (ShardFailure failure) {
      response.onError(FailureStatus.toStatus(failure));
    }
  }

  private DecodedFrame decode(StepRequest request) throws ShardFailure {
    try {
      return ActivationFrameCodec.decode(request.getActivations().toByteArray(), limits);
    } catch (MalformedFrameException malformed) {
      throw new ShardFailure(compute.shardIndex(), Kind.REJECTED, "shard " + compute.shardIndex() + ": " + malformed.getMessage());
    }
  }

  private void checkPlan(String requested) throws ShardFailure {
    if (!planId.equals(requested)) {
      throw new ShardFailure(
          compute.shardIndex(),
          Kind.REJECTED,
          "shard " + compute.shardIndex() + " serves plan " + planId + ", not " + requested + " (rollout in progress?)");
    }
  }
}
