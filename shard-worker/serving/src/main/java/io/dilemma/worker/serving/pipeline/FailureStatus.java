package io.dilemma.worker.serving.pipeline;

import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Carries a {@link ShardFailure} across gRPC hops: the trailers name the shard that failed, so the
 * head can name it even when the failure happened several shards away.
 */
final class FailureStatus {
  private static final Metadata.Key<String> FAILED_SHARD =
      Metadata.Key.of("dilemma-failed-shard", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> FAILURE_KIND =
      Metadata.Key.of("dilemma-failure-kind", Metadata.ASCII_STRING_MARSHALLER);

  private FailureStatus() {}

  static StatusRuntimeException toStatus(ShardFailure failure) {
    Status status =
        switch (failure.kind()) {
          case UNAVAILABLE -> Status.UNAVAILABLE;
          case SESSION_LOST -> Status.FAILED_PRECONDITION;
          case REJECTED -> Status.INVALID_ARGUMENT;
          case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
        };
    Metadata trailers = new Metadata();
    trailers.put(FAILED_SHARD, Integer.toString(failure.shardIndex()));
    trailers.put(FAILURE_KIND, failure.kind().name());
    return status.withDescription(failure.getMessage()).asRuntimeException(trailers);
  }

  /**
   * The failure behind a call to shard {@code calledShard} at {@code address}: the one reported in
   * the trailers if a shard reported it, otherwise the called shard itself could not be reached.
   */
  static ShardFailure fromCall(
      StatusRuntimeException error, int calledShard, int lastShard, String address, long timeoutMillis) {
    Metadata trailers = error.getTrailers();
    if (trailers != null && trailers.containsKey(FAILED_SHARD)) {
      ShardFailure reported = reported(trailers, calledShard, lastShard);
      if (reported != null) {
        return new ShardFailure(reported.shardIndex(), reported.kind(), StepErrors.printable(error.getStatus().getDescription()));
      }
      return new ShardFailure(
          calledShard, Kind.UNAVAILABLE, "shard " + calledShard + " at " + address + " sent an invalid error report");
    }
    Status status = error.getStatus();
    String reason =
        switch (status.getCode()) {
          case DEADLINE_EXCEEDED -> "did not answer within " + timeoutMillis + " ms";
          case UNAVAILABLE -> "is unreachable (" + detail(status) + ")";
          case RESOURCE_EXHAUSTED -> "refused the step as too large (" + oneLine(status.getDescription()) + ")";
          default -> "failed: " + status.getCode() + " " + oneLine(status.getDescription());
        };
    Kind kind = status.getCode() == Status.Code.RESOURCE_EXHAUSTED ? Kind.REJECTED : Kind.UNAVAILABLE;
    return new ShardFailure(calledShard, kind, "shard " + calledShard + " at " + address + " " + reason);
  }

  /** The failure named in the trailers, or null when they do not name a shard after the caller and a known kind. */
  private static ShardFailure reported(Metadata trailers, int calledShard, int lastShard) {
    try {
      int shard = Integer.parseInt(trailers.get(FAILED_SHARD));
      Kind kind = Kind.valueOf(String.valueOf(trailers.get(FAILURE_KIND)));
      return shard < calledShard || shard > lastShard ? null : new ShardFailure(shard, kind, "");
    } catch (IllegalArgumentException notAnIndexOrKind) {
      return null;
    }
  }

  /** gRPC says "io exception"; the cause says "Connection refused". */
  private static String detail(Status status) {
    String description = oneLine(status.getDescription());
    Throwable cause = status.getCause();
    while (cause != null && cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause == null || cause.getMessage() == null ? description : description + ": " + oneLine(cause.getMessage());
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "no detail";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
