package io.dilemma.worker.serving.http;

import java.time.Duration;

/**
 * What one client may cost the HTTP server. Slow clients hold a connection, never a thread: request
 * parsing is non-blocking, and a thread is taken only once a request is complete.
 *
 * @param headerTimeout a new connection must deliver its first request's headers within this
 * @param idleTimeout a connection silent this long (reading or writing) is closed
 * @param bodyTimeout a request body must arrive completely within this, counted from its headers
 * @param maxBodyBytes largest request body
 * @param maxPromptBytes largest prompt text (UTF-8), checked before it is tokenised
 * @param workers threads that run completions
 * @param queuedRequests completions waiting for a worker; past this the server answers 503
 * @param maxConnections open connections; past this new connections wait in the kernel backlog
 * @param retryAfterSeconds what a 503 for a full queue tells the client to wait
 */
public record HttpLimits(
    Duration headerTimeout,
    Duration idleTimeout,
    Duration bodyTimeout,
    int maxBodyBytes,
    int maxPromptBytes,
    int workers,
    int queuedRequests,
    int maxConnections,
    int retryAfterSeconds) {

  public HttpLimits {
    if (workers < 1 || queuedRequests < 0 || maxConnections < 8 || maxBodyBytes < 1 || maxPromptBytes < 1) {
      throw new IllegalArgumentException("HTTP limits must be positive: " + this);
    }
  }

  public static HttpLimits defaults() {
    return new HttpLimits(
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 1 << 20, 64 << 10, 16, 64, 1024, 1);
  }
}
