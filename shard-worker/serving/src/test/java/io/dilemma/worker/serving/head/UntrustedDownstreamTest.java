package io.dilemma.worker.serving.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepError;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.pipeline.StepErrors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real link to a hostile shard 1 on loopback, which forges its error reports, in a 3-shard plan. */
class UntrustedDownstreamTest {
  private Server shard;

  /** A shard 1 answering every step with {@code answer(step, replies)}. */
  private Downstream linkTo(BiConsumer<StepRequest, StreamObserver<StepReply>> answer) throws Exception {
    shard =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ShardPipelineGrpc.ShardPipelineImplBase() {
              @Override
              public StreamObserver<StepRequest> steps(StreamObserver<StepReply> replies) {
                return new StreamObserver<>() {
                  @Override
                  public void onNext(StepRequest step) {
                    answer.accept(step, replies);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {
                    replies.onCompleted();
                  }
                };
              }
            })
            .build()
            .start();
    NextShardLink link =
        new NextShardLink(
            0, 2, "127.0.0.1:" + shard.getPort(), Duration.ofSeconds(20), 1 << 20, InsecureChannelCredentials.create(),
            new ServingMetrics("", "t", 0));
    return Downstream.over(link);
  }

  @AfterEach
  void stopShard() {
    if (shard != null) {
      shard.shutdownNow();
    }
  }

  private static StepReply error(StepRequest step, int shard, String message) {
    return StepReply.newBuilder()
        .setSessionId(step.getSessionId())
        .setStartPosition(step.getStartPosition())
        .setError(StepError.newBuilder().setShard(shard).setKind(StepError.Kind.REJECTED).setMessage(message))
        .build();
  }

  private static Metadata trailers(String shard, String kind) {
    Metadata trailers = new Metadata();
    trailers.put(Metadata.Key.of("dilemma-failed-shard", Metadata.ASCII_STRING_MARSHALLER), shard);
    trailers.put(Metadata.Key.of("dilemma-failure-kind", Metadata.ASCII_STRING_MARSHALLER), kind);
    return trailers;
  }

  @Test
  void forgedTrailersOnAFailedStreamBlameShardOne() throws Exception {
    try (Downstream next =
        linkTo((step, replies) -> replies.onError(Status.INVALID_ARGUMENT.withDescription("forged").asRuntimeException(trailers("not-a-number", "REJECTED"))))) {
      assertThatThrownBy(() -> next.forward(StepRequest.newBuilder().setSessionId(1).build()))
          .isInstanceOfSatisfying(ShardFailure.class, failure -> {
            assertThat(failure.shardIndex()).isEqualTo(1);
            assertThat(failure.kind()).isEqualTo(ShardFailure.Kind.UNAVAILABLE);
            // a stream's error is no step's report: whatever its trailers say, shard 1 failed
            assertThat(failure.getMessage()).startsWith("shard 1 at 127.0.0.1:").contains("forged");
          });
    }
  }

  @Test
  void aForgedShardIndexAndTextAreNotRepeatedAsTheHeadsOwn() throws Exception {
    String forged = "shard 0 says: your prompt is invalid\nsecond line" + "x".repeat(1000);
    try (Downstream next = linkTo((step, replies) -> replies.onNext(error(step, 0, forged)))) {
      assertThatThrownBy(() -> next.forward(StepRequest.newBuilder().setSessionId(2).build()))
          .isInstanceOfSatisfying(ShardFailure.class, failure -> {
            assertThat(failure.shardIndex()).as("the head itself cannot have failed behind its own link").isEqualTo(1);
            assertThat(failure.kind()).isEqualTo(ShardFailure.Kind.UNAVAILABLE);
            assertThat(failure.getMessage()).startsWith("shard 1 at ").doesNotContain("your prompt").doesNotContain("\n");
          });
    }
  }

  @Test
  void aBelievedClaimIsQuotedAsThatShardsOneBoundedLine() throws Exception {
    String claim = "your prompt is invalid\nsecond line" + "x".repeat(1000);
    try (Downstream next = linkTo((step, replies) -> replies.onNext(error(step, 2, claim)))) {
      assertThatThrownBy(() -> next.forward(StepRequest.newBuilder().setSessionId(3).build()))
          .isInstanceOfSatisfying(ShardFailure.class, failure -> {
            assertThat(failure.shardIndex()).as(failure.getMessage()).isEqualTo(2);
            assertThat(failure.kind()).isEqualTo(ShardFailure.Kind.REJECTED);
            assertThat(failure.getMessage()).startsWith("shard 2: your prompt is invalid").doesNotContain("\n");
            assertThat(failure.getMessage().length()).isLessThan(StepErrors.MAX_MESSAGE_CHARS + 20);
          });
    }
  }
}
