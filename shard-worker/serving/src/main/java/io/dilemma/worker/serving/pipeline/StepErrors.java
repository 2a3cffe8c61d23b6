package io.dilemma.worker.serving.pipeline;

import io.dilemma.worker.serving.grpc.v1.StepError;
import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;

/**
 * Carries a {@link ShardFailure} on a step's reply. What a downstream shard reports is checked
 * before it is believed: a shard index outside the shards after the caller, or a kind this
 * version does not know, makes the called shard the one that failed. {@link FailureStatus} checks
 * a failed call's trailers the same way, so every failure a {@link NextShardLink} reports names a
 * shard after the caller and carries one bounded printable line.
 */
public final class StepErrors {
  /** Longer messages are cut: a reply from downstream must not fill the head's error page. */
  public static final int MAX_MESSAGE_CHARS = 400;

  private StepErrors() {}

  static StepError toProto(ShardFailure failure) {
    StepError.Kind kind =
        switch (failure.kind()) {
          case UNAVAILABLE -> StepError.Kind.UNAVAILABLE;
          case SESSION_LOST -> StepError.Kind.SESSION_LOST;
          case REJECTED -> StepError.Kind.REJECTED;
          case OVERLOADED -> StepError.Kind.OVERLOADED;
        };
    return StepError.newBuilder()
        .setShard(failure.shardIndex())
        .setKind(kind)
        .setMessage(printable(failure.getMessage()))
        .build();
  }

  /**
   * @param calledShard the shard the reply came from
   * @param lastShard the index of the last shard of the plan
   */
  static ShardFailure fromProto(StepError error, int calledShard, int lastShard, String address) {
    int shard = error.getShard();
    Kind kind =
        switch (error.getKind()) {
          case UNAVAILABLE -> Kind.UNAVAILABLE;
          case SESSION_LOST -> Kind.SESSION_LOST;
          case REJECTED -> Kind.REJECTED;
          case OVERLOADED -> Kind.OVERLOADED;
          case UNRECOGNIZED -> null;
        };
    if (kind == null || shard < calledShard || shard > lastShard) {
      return new ShardFailure(
          calledShard,
          Kind.UNAVAILABLE,
          "shard " + calledShard + " at " + address + " sent an invalid error report (shard "
              + Integer.toUnsignedString(shard) + ", kind " + error.getKindValue() + ")");
    }
    return new ShardFailure(shard, kind, printable(error.getMessage()));
  }

  /** One line of printable text, bounded in length: how any text from another shard is shown. */
  public static String printable(String text) {
    if (text == null || text.isEmpty()) {
      return "no detail";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE_CHARS));
    for (int i = 0; i < text.length() && out.length() < MAX_MESSAGE_CHARS; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (text.length() > MAX_MESSAGE_CHARS) {
      out.append('…');
    }
    return out.toString();
  }
}
