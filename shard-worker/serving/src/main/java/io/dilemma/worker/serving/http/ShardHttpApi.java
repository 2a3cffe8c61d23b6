package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.dilemma.worker.serving.head.Completion;
import io.dilemma.worker.serving.head.CompletionEngine;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a shard-worker: {@code /healthz}, {@code /readyz} and {@code /metrics} on every
 * shard; on the head also the OpenAI-compatible {@code POST /v1/completions}.
 */
public final class ShardHttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHttpApi.class);

  static {
    // The JDK server writes headers and body separately; with Nagle on, every response and every
    // streamed token waits for the client's delayed ACK (~40 ms). Read once, when the first server starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** Throws when the shards after this one do not all answer. */
  @FunctionalInterface
  public interface ChainCheck {
    void check() throws ShardFailure;
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final ServingMetrics metrics;
  private final ChainCheck chain;
  private final CompletionEngine engine;
  private final PromptText text;
  private final String modelName;
  private final int vocabSize;

  /** {@code engine} is null on shards other than the head. */
  public ShardHttpApi(
      InetSocketAddress address,
      int threads,
      ServingMetrics metrics,
      ChainCheck chain,
      CompletionEngine engine,
      PromptText text,
      String modelName,
      int vocabSize)
      throws IOException {
    this.metrics = metrics;
    this.chain = chain;
    this.engine = engine;
    this.text = text;
    this.modelName = modelName;
    this.vocabSize = vocabSize;
    this.server = HttpServer.create(address, 64);
    this.executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext("/healthz", guarded("GET", this::healthz));
    server.createContext("/readyz", guarded("GET", this::readyz));
    server.createContext("/metrics", guarded("GET", this::metrics));
    if (engine != null) {
      server.createContext("/v1/completions", guarded("POST", this::completions));
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        JsonExchange.sendError(exchange, 404, "not_found", "no endpoint " + exchange.getRequestURI().getPath(), null);
      }
    });
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void healthz(HttpExchange exchange) throws IOException {
    JsonExchange.send(exchange, 200, JsonExchange.JSON.createObjectNode().put("status", "ok"));
  }

  private void readyz(HttpExchange exchange) throws IOException {
    try {
      chain.check();
      JsonExchange.send(exchange, 200, JsonExchange.JSON.createObjectNode().put("status", "ready"));
    } catch (ShardFailure failure) {
      JsonExchange.sendError(exchange, 503, "not_ready", failure.getMessage(), failure.shardIndex());
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeText(out);
    JsonExchange.sendText(exchange, 200, metrics.contentType(), out.toString(StandardCharsets.UTF_8));
  }

  private void completions(HttpExchange exchange) throws IOException {
    CompletionRequest request;
    try {
      request = CompletionRequest.parse(JsonExchange.readBody(exchange), text, vocabSize, engine.maxPositions());
    } catch (CompletionRequest.BadRequest bad) {
      JsonExchange.sendError(exchange, 400, "invalid_request_error", bad.getMessage(), null);
      return;
    }
    String id = "cmpl-" + Long.toHexString(System.nanoTime());
    if (request.stream()) {
      new CompletionStream(exchange, id, modelName(request), text).run(engine, request);
      return;
    }
    try {
      Completion completion = engine.complete(request.prompt(), request.maxTokens(), request.sampling(), token -> {});
      JsonExchange.send(exchange, 200, body(id, request, completion));
    } catch (ShardFailure failure) {
      JsonExchange.send(exchange, JsonExchange.status(failure), JsonExchange.error(failure));
    }
  }

  private JsonNode body(String id, CompletionRequest request, Completion completion) {
    ObjectNode root = JsonExchange.JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "text_completion");
    root.put("created", System.currentTimeMillis() / 1000);
    root.put("model", modelName(request));
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.put("text", text.decode(completion.tokens()));
    ArrayNode tokens = choice.putArray("tokens");
    for (long token : completion.tokens()) {
      tokens.add(token);
    }
    choice.put("finish_reason", "length");
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", request.prompt().length);
    usage.put("completion_tokens", completion.tokens().length);
    usage.put("total_tokens", request.prompt().length + completion.tokens().length);
    ObjectNode timing = root.putObject("timing");
    timing.put("time_to_first_token_ms", completion.firstTokenNanos() / 1e6);
    timing.put("decode_tokens_per_second", completion.decodeTokensPerSecond());
    timing.put("decode_overhead_us_per_step", completion.decodeOverheadMicrosPerStep());
    return root;
  }

  private String modelName(CompletionRequest request) {
    return request.model() != null ? request.model() : modelName;
  }

  /** Only {@code method} is allowed; anything thrown becomes a JSON 500 and the server keeps serving. */
  private static HttpHandler guarded(String method, HttpHandler handler) {
    return exchange -> {
      try (exchange) {
        if (!method.equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", method);
          JsonExchange.sendError(exchange, 405, "method_not_allowed", exchange.getRequestURI().getPath() + " accepts " + method + " only", null);
          return;
        }
        handler.handle(exchange);
      } catch (IOException clientGone) {
        LOG.debug("client went away", clientGone);
      } catch (RuntimeException bug) {
        LOG.error("request {} failed", exchange.getRequestURI(), bug);
        try {
          JsonExchange.sendError(exchange, 500, "internal_error", String.valueOf(bug.getMessage()), null);
        } catch (IOException | RuntimeException ignored) {
          // headers may already be out (a stream); the connection is closed either way
        }
      }
    };
  }
}
