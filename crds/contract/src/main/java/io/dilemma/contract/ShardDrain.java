package io.dilemma.contract;

/**
 * How a shard pod learns it is being stopped before its process is signalled. The operator's
 * {@code preStop} hook writes {@value #MARKER} and then waits a few seconds; a worker that sees the
 * marker answers every HTTP response with {@code Connection: close} and closes idle connections
 * early. A client's keep-alive connection to an old head therefore ends after a response, not
 * under a request, and its next request opens a connection the Service routes to the new head.
 */
public final class ShardDrain {
  /** On the pod's writable {@code /tmp} (an emptyDir), which the read-only root leaves writable. */
  public static final String MARKER = "/tmp/dilemma-draining";

  private ShardDrain() {}
}
