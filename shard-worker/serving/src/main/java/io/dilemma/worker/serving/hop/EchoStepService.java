package io.dilemma.worker.serving.hop;

import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.frame.MalformedFrameException;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.ShardTiming;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * A last shard without a model: it decodes each step's frame on the transport thread, as a lone
 * session's decode step is handled there, and replies with a token. What a step costs beside
 * its compute is then all that a round trip to it measures.
 */
final class EchoStepService extends ShardPipelineGrpc.ShardPipelineImplBase {
  private final FrameLimits limits;

  EchoStepService(FrameLimits limits) {
    this.limits = limits;
  }

  @Override
  public StreamObserver<StepRequest> steps(StreamObserver<StepReply> replies) {
    return new StreamObserver<>() {
      @Override
      public void onNext(StepRequest request) {
        long received = System.nanoTime();
        try {
          ActivationFrameCodec.decode(request.getActivations(), limits);
        } catch (MalformedFrameException malformed) {
          replies.onError(Status.INVALID_ARGUMENT.withDescription(malformed.getMessage()).asRuntimeException());
          return;
        }
        replies.onNext(
            StepReply.newBuilder()
                .setSessionId(request.getSessionId())
                .setStartPosition(request.getStartPosition())
                .setToken(2)
                .addTimings(ShardTiming.newBuilder().setShard(1).setHandlingNanos(System.nanoTime() - received))
                .build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        replies.onCompleted();
      }
    };
  }
}
