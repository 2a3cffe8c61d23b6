package io.dilemma.worker.serving.http;

import java.io.IOException;

/** Answers one request; throws {@link ApiError} for an error the client should see as such. */
@FunctionalInterface
interface Endpoint {
  void serve(HttpCall call) throws IOException, ApiError;
}
