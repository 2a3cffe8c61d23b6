package io.dilemma.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code /healthz} (the informers are healthy), {@code /readyz} (the operator started), {@code
 * /leader} (this replica holds the Lease) and {@code /metrics}.
 *
 * <p>A standby replica is ready: were it not, a rolling update of a two-replica Deployment would
 * wait forever for a new pod that cannot get the Lease while the old one holds it.
 */
public final class OperatorHttpServer implements AutoCloseable {
  private final HttpServer server;

  public OperatorHttpServer(
      InetSocketAddress address, Operator operator, PrometheusRegistry registry, java.util.function.BooleanSupplier leading)
      throws IOException {
    server = HttpServer.create(address, 0);
    server.createContext(
        "/healthz",
        exchange -> {
          boolean healthy = !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
          reply(exchange, healthy ? 200 : 503, healthy ? "ok\n" : "unhealthy event sources\n", "text/plain");
        });
    server.createContext(
        "/readyz",
        exchange -> {
          boolean ready = operator.getRuntimeInfo().isStarted();
          reply(exchange, ready ? 200 : 503, ready ? "ready\n" : "not started\n", "text/plain");
        });
    server.createContext(
        "/leader",
        exchange -> {
          boolean leader = leading.getAsBoolean();
          reply(exchange, leader ? 200 : 503, leader ? "leader\n" : "standby\n", "text/plain");
        });
    server.createContext(
        "/metrics",
        exchange -> {
          var out = new ByteArrayOutputStream();
          PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
          writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
          reply(exchange, 200, out.toString(StandardCharsets.UTF_8), writer.getContentType());
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, int code, String body, String contentType)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
