package io.dilemma.worker.serving.http;

/**
 * An exact path, the one method it accepts, and where it runs.
 *
 * @param lane which threads answer it, so that load on completions never delays a probe
 */
record Route(String path, String method, Lane lane, Endpoint endpoint) {

  enum Lane {
    /** On the server's own thread, without reading a body: for answers that never wait (liveness). */
    INLINE,
    /** On the probe threads, apart from completions: readiness and metrics. */
    PROBE,
    /** On the bounded completion workers; a full queue answers 503 with Retry-After. */
    WORK
  }
}
