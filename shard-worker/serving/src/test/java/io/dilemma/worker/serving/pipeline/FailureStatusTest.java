package io.dilemma.worker.serving.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import io.grpc.Status;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailureStatusTest {

  @Test
  void aFailureReportedDownTheChainKeepsTheShardThatFailed() {
    ShardFailure lost = new ShardFailure(3, Kind.SESSION_LOST, "shard 3 no longer holds session 2a");
    ShardFailure atHead = FailureStatus.fromCall(FailureStatus.toStatus(lost), 1, 3, "10.0.0.2:50051", 5000);
    assertThat(atHead.shardIndex()).isEqualTo(3);
    assertThat(atHead.kind()).isEqualTo(Kind.SESSION_LOST);
    assertThat(atHead.getMessage()).isEqualTo("shard 3 no longer holds session 2a");
    assertThat(FailureStatus.toStatus(lost).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void withoutTrailersTheCalledShardIsBlamed() {
    ShardFailure timeout = FailureStatus.fromCall(Status.DEADLINE_EXCEEDED.asRuntimeException(), 2, 3, "h:1", 2750);
    assertThat(timeout.shardIndex()).isEqualTo(2);
    assertThat(timeout.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(timeout.getMessage()).isEqualTo("shard 2 at h:1 did not answer within 2750 ms");

    ShardFailure refused =
        FailureStatus.fromCall(
            Status.UNAVAILABLE.withDescription("io exception").withCause(new ConnectException("Connection refused")).asRuntimeException(),
            1, 3, "h:2", 5000);
    assertThat(refused.getMessage()).isEqualTo("shard 1 at h:2 is unreachable (io exception: Connection refused)");

    ShardFailure tooBig = FailureStatus.fromCall(Status.RESOURCE_EXHAUSTED.withDescription("message too large\nmore").asRuntimeException(), 1, 3, "h:2", 5000);
    assertThat(tooBig.kind()).isEqualTo(Kind.REJECTED);
    assertThat(tooBig.getMessage()).isEqualTo("shard 1 at h:2 refused the step as too large (message too large)");
  }

  @Test
  void forgedTrailersBlameTheCalledShardInsteadOfBreakingTheHead() {
    for (String[] forged : new String[][] {{"one", "SESSION_LOST"}, {"7", "SESSION_LOST"}, {"0", "REJECTED"}, {"2", "NOPE"}}) {
      io.grpc.Metadata trailers = new io.grpc.Metadata();
      trailers.put(io.grpc.Metadata.Key.of("dilemma-failed-shard", io.grpc.Metadata.ASCII_STRING_MARSHALLER), forged[0]);
      trailers.put(io.grpc.Metadata.Key.of("dilemma-failure-kind", io.grpc.Metadata.ASCII_STRING_MARSHALLER), forged[1]);
      ShardFailure failure =
          FailureStatus.fromCall(Status.INTERNAL.withDescription("forged").asRuntimeException(trailers), 1, 3, "h:2", 5000);
      assertThat(failure.shardIndex()).as(String.join("/", forged)).isEqualTo(1);
      assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(failure.getMessage()).isEqualTo("shard 1 at h:2 sent an invalid error report");
    }
  }
}
