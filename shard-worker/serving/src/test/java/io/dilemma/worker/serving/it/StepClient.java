package io.dilemma.worker.serving.it;

import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A hand-made previous shard: sends steps on one step stream and waits for their replies. */
final class StepClient implements AutoCloseable {
  private final ConcurrentHashMap<Long, CompletableFuture<StepReply>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final StreamObserver<StepRequest> requests;

  StepClient(Channel channel) {
    requests =
        ShardPipelineGrpc.newStub(channel)
            .steps(
                new StreamObserver<>() {
                  @Override
                  public void onNext(StepReply reply) {
                    CompletableFuture<StepReply> waiting = pending.remove(reply.getSessionId());
                    if (waiting != null) {
                      waiting.complete(reply);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    closed.completeExceptionally(t);
                    pending.values().forEach(f -> f.completeExceptionally(t));
                  }

                  @Override
                  public void onCompleted() {
                    closed.complete(null);
                  }
                });
  }

  /** Sends every step at once (distinct session ids) and returns their replies in the same order. */
  List<StepReply> sendAll(List<StepRequest> steps) throws Exception {
    List<CompletableFuture<StepReply>> replies =
        steps.stream().map(step -> pending.computeIfAbsent(step.getSessionId(), id -> new CompletableFuture<>())).toList();
    synchronized (requests) {
      steps.forEach(requests::onNext);
    }
    CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    return replies.stream().map(CompletableFuture::join).toList();
  }

  StepReply send(StepRequest step) throws Exception {
    return sendAll(List.of(step)).get(0);
  }

  @Override
  public void close() {
    synchronized (requests) {
      requests.onCompleted();
    }
  }
}
