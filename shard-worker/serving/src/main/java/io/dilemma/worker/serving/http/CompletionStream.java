package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.dilemma.worker.serving.head.CompletionEngine;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A completion streamed as server-sent events, one {@code data:} event per token, then {@code data:
 * [DONE]}. A chain failure after the headers went out arrives as a final {@code data:} event with
 * an {@code error} object naming the shard.
 */
final class CompletionStream {
  private final HttpExchange exchange;
  private final String id;
  private final String model;
  private final PromptText text;

  CompletionStream(HttpExchange exchange, String id, String model, PromptText text) {
    this.exchange = exchange;
    this.id = id;
    this.model = model;
    this.text = text;
  }

  void run(CompletionEngine engine, CompletionRequest request) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      int[] emitted = {0};
      try {
        engine.complete(
            request.prompt(),
            request.maxTokens(),
            request.sampling(),
            token -> {
              emitted[0]++;
              send(out, chunk(token, emitted[0] == request.maxTokens()));
            });
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
      } catch (ShardFailure failure) {
        send(out, JsonExchange.error(failure));
      } catch (UncheckedIOException clientGone) {
        throw clientGone.getCause();
      }
    }
  }

  private JsonNode chunk(long token, boolean last) {
    ObjectNode root = JsonExchange.JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "text_completion");
    root.put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.put("text", text.decode(new long[] {token}));
    choice.putArray("tokens").add(token);
    if (last) {
      choice.put("finish_reason", "length");
    } else {
      choice.putNull("finish_reason");
    }
    return root;
  }

  private static void send(OutputStream out, JsonNode event) {
    try {
      out.write(("data: " + JsonExchange.JSON.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
