package io.dilemma.contract;

/**
 * How a shard pod learns it is being stopped before its process is signalled. The operator's
 * {@code preStop} hook writes {@value #MARKER} and then waits {@link #DRAIN_SECONDS}; a worker that
 * sees the marker answers every HTTP response with {@code Connection: close}. A client's keep-alive
 * connection to an old head therefore ends after a response, not under a request, and its next
 * request opens a connection the Service routes to the new head. Signalled after the drain, the
 * worker finishes its requests in flight before it exits.
 */
public final class ShardDrain {
  /** How long the preStop hook waits after writing the marker, before the container is signalled. */
  public static final int DRAIN_SECONDS = 5;

  /**
   * How long a signalled head still waits for its requests in flight. The shards after it wait
   * {@link #RELAY_STOP_GRACE_SECONDS}, longer, because they serve those requests' steps until the
   * head closes its link.
   */
  public static final int HEAD_STOP_GRACE_SECONDS = 15;

  public static final int RELAY_STOP_GRACE_SECONDS = HEAD_STOP_GRACE_SECONDS + 5;

  /** The pod's termination grace: the drain, the longest stop grace, and time to exit. */
  public static final int TERMINATION_GRACE_SECONDS = DRAIN_SECONDS + RELAY_STOP_GRACE_SECONDS + 5;

  /** On the pod's writable {@code /tmp} (an emptyDir), which the read-only root leaves writable. */
  public static final String MARKER = "/tmp/dilemma-draining";

  private ShardDrain() {}
}
