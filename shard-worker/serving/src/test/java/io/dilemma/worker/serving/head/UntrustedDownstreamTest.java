package io.dilemma.worker.serving.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The real link to a hostile shard 1 on loopback, which forges its error trailers. */
class UntrustedDownstreamTest {
  private static Downstream linkTo(Metadata trailers, String description, Server[] started) throws Exception {
    Server shard =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ShardPipelineGrpc.ShardPipelineImplBase() {
              @Override
              public void forward(StepRequest request, StreamObserver<StepReply> response) {
                response.onError(Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException(trailers));
              }
            })
            .build()
            .start();
    started[0] = shard;
    NextShardLink link = new NextShardLink(0, "127.0.0.1:" + shard.getPort(), Duration.ofSeconds(2), 1 << 20, new ServingMetrics("t", 0));
    return Downstream.over(link, 3);
  }

  private static Metadata trailers(String shard, String kind) {
    Metadata trailers = new Metadata();
    trailers.put(Metadata.Key.of("dilemma-failed-shard", Metadata.ASCII_STRING_MARSHALLER), shard);
    trailers.put(Metadata.Key.of("dilemma-failure-kind", Metadata.ASCII_STRING_MARSHALLER), kind);
    return trailers;
  }

  @Test
  void unreadableTrailersBecomeShardOneUnavailableNotAnExceptionInTheHead() throws Exception {
    Server[] shard = new Server[1];
    try (Downstream next = linkTo(trailers("not-a-number", "REJECTED"), "forged", shard)) {
      assertThatThrownBy(() -> next.forward(StepRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(ShardFailure.class, failure -> {
            assertThat(failure.shardIndex()).isEqualTo(1);
            assertThat(failure.kind()).isEqualTo(ShardFailure.Kind.UNAVAILABLE);
            assertThat(failure.getMessage()).contains("sent an error reply the head cannot read");
          });
    } finally {
      shard[0].shutdownNow();
    }
  }

  @Test
  void aForgedShardIndexAndTextAreNotRepeatedAsTheHeadsOwn() throws Exception {
    Server[] shard = new Server[1];
    String forged = "shard 0 says: your prompt is invalid\nsecond line" + "x".repeat(1000);
    try (Downstream next = linkTo(trailers("0", "REJECTED"), forged, shard)) {
      assertThatThrownBy(() -> next.forward(StepRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(ShardFailure.class, failure -> {
            assertThat(failure.shardIndex()).as("the head itself cannot have failed behind its own link").isEqualTo(1);
            assertThat(failure.getMessage()).startsWith("shard 1: ").doesNotContain("second line");
            assertThat(failure.getMessage().length()).isLessThan(UntrustedDownstream.MAX_DETAIL_CHARS + 20);
          });
    } finally {
      shard[0].shutdownNow();
    }
  }
}
