package io.dilemma.worker.serving.pipeline;

/**
 * A step failed on a particular shard: it was unreachable, timed out, lost the session, or
 * refused the input. The head turns it into a 503 (or 400 for {@link Kind#REJECTED}) naming the
 * shard.
 */
public final class ShardFailure extends Exception {

  /** What went wrong, which decides the HTTP status at the head. */
  public enum Kind {
    /** Unreachable, dead or too slow: retrying later may succeed. */
    UNAVAILABLE,
    /** The shard no longer has the session's KV cache (evicted or restarted). */
    SESSION_LOST,
    /** The shard refused the step's input (malformed frame, wrong plan). */
    REJECTED,
    /** The shard is at its bound of in-flight work (RESOURCE_EXHAUSTED): retrying later may succeed. */
    OVERLOADED
  }

  private final int shardIndex;
  private final Kind kind;

  public ShardFailure(int shardIndex, Kind kind, String message) {
    super(message);
    this.shardIndex = shardIndex;
    this.kind = kind;
  }

  public int shardIndex() {
    return shardIndex;
  }

  public Kind kind() {
    return kind;
  }
}
