package io.dilemma.worker.serving.http;

import io.dilemma.worker.serving.http.Route.Lane;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What Kubernetes and Prometheus ask every shard: alive, ready (the chain behind it answers), metrics. */
public final class Probes {
  /** Throws when the shards after this one do not all answer. */
  @FunctionalInterface
  public interface ChainCheck {
    void check() throws ShardFailure;
  }

  private final ServingMetrics metrics;
  private final ChainCheck chain;

  public Probes(ServingMetrics metrics, ChainCheck chain) {
    this.metrics = metrics;
    this.chain = chain;
  }

  List<Route> routes() {
    return List.of(
        new Route("/healthz", "GET", Lane.INLINE, this::healthz),
        new Route("/readyz", "GET", Lane.PROBE, this::readyz),
        new Route("/metrics", "GET", Lane.PROBE, this::metrics));
  }

  private void healthz(HttpCall call) throws IOException {
    call.sendJson(200, JsonBodies.JSON.createObjectNode().put("status", "ok"));
  }

  private void readyz(HttpCall call) throws IOException, ApiError {
    try {
      chain.check();
    } catch (ShardFailure failure) {
      throw new ApiError(503, "server_error", null, "not_ready", failure.getMessage(), failure.shardIndex());
    }
    call.sendJson(200, JsonBodies.JSON.createObjectNode().put("status", "ready"));
  }

  private void metrics(HttpCall call) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeText(out);
    call.sendText(200, metrics.contentType(), out.toString(StandardCharsets.UTF_8));
  }
}
