package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** JSON in and out of a JDK HttpServer exchange, with OpenAI-style error bodies. */
final class JsonExchange {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BODY_BYTES = 1 << 20;

  private JsonExchange() {}

  /** The body as JSON, or a {@link CompletionRequest.BadRequest} saying why it is not. */
  static JsonNode readBody(HttpExchange exchange) throws IOException, CompletionRequest.BadRequest {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new CompletionRequest.BadRequest("the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new CompletionRequest.BadRequest("the request body is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void sendError(HttpExchange exchange, int status, String type, String message, Integer shard) throws IOException {
    send(exchange, status, error(type, message, shard));
  }

  static ObjectNode error(String type, String message, Integer shard) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    if (shard != null) {
      error.put("shard", shard);
    }
    return root;
  }

  /** The error body of a failed chain: type {@code shard_unavailable}, {@code shard_session_lost} or {@code shard_rejected}. */
  static ObjectNode error(ShardFailure failure) {
    return error("shard_" + failure.kind().name().toLowerCase(Locale.ROOT), failure.getMessage(), failure.shardIndex());
  }

  /** 400 when a shard refused what the client sent, 503 when the chain could not serve it. */
  static int status(ShardFailure failure) {
    return failure.kind() == ShardFailure.Kind.REJECTED ? 400 : 503;
  }

  static void sendText(HttpExchange exchange, int status, String contentType, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
