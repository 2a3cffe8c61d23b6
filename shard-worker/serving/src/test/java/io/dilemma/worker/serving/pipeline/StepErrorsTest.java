package io.dilemma.worker.serving.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.serving.grpc.v1.StepError;
import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import org.junit.jupiter.api.Test;

class StepErrorsTest {

  @Test
  void aFailureFurtherDownKeepsItsShardKindAndMessage() {
    for (Kind kind : Kind.values()) {
      ShardFailure reported = StepErrors.fromProto(StepErrors.toProto(new ShardFailure(3, kind, "shard 3: why")), 1, 3, "h:1");
      assertThat(reported.shardIndex()).isEqualTo(3);
      assertThat(reported.kind()).isEqualTo(kind);
      assertThat(reported.getMessage()).isEqualTo("shard 3: why");
    }
  }

  @Test
  void aReportNamingAShardBeforeTheCalledOneOrPastTheLastIsNotBelieved() {
    for (int shard : new int[] {0, 4, -1}) {
      StepError forged = StepError.newBuilder().setShard(shard).setKind(StepError.Kind.SESSION_LOST).setMessage("x").build();
      ShardFailure failure = StepErrors.fromProto(forged, 1, 3, "h:1");
      assertThat(failure.shardIndex()).isEqualTo(1);
      assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(failure.getMessage()).startsWith("shard 1 at h:1 sent an invalid error report");
    }
    StepError unknownKind = StepError.newBuilder().setShard(2).setKindValue(99).build();
    assertThat(StepErrors.fromProto(unknownKind, 1, 3, "h:1").shardIndex()).isEqualTo(1);
  }

  @Test
  void messagesFromDownstreamAreOneBoundedLine() {
    String hostile = "line one\nline two\u0000" + "x".repeat(10_000);
    String shown = StepErrors.fromProto(StepError.newBuilder().setShard(2).setMessage(hostile).build(), 1, 3, "h:1").getMessage();
    assertThat(shown).doesNotContain("\n").doesNotContain("\u0000").hasSizeLessThanOrEqualTo(StepErrors.MAX_MESSAGE_CHARS + 1);
  }
}
