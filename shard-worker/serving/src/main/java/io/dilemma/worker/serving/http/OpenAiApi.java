package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.head.TextGeneration;
import io.dilemma.worker.serving.http.Route.Lane;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The OpenAI-compatible API of the head: {@code POST /v1/completions}, {@code POST
 * /v1/chat/completions} (through a {@link ChatTemplate}) and {@code GET /v1/models}, with
 * server-sent events for {@code stream: true}.
 */
public final class OpenAiApi {
  private final TextGeneration generation;
  private final PromptText text;
  private final ChatTemplate chat;
  private final String modelName;
  private final int vocabSize;
  private final int maxPromptBytes;
  private final long created = System.currentTimeMillis() / 1000;

  public OpenAiApi(TextGeneration generation, PromptText text, ChatTemplate chat, String modelName, int vocabSize, int maxPromptBytes) {
    this.generation = generation;
    this.text = text;
    this.chat = chat;
    this.modelName = modelName;
    this.vocabSize = vocabSize;
    this.maxPromptBytes = maxPromptBytes;
  }

  List<Route> routes() {
    return List.of(
        new Route("/v1/completions", "POST", Lane.WORK, this::completions),
        new Route("/v1/chat/completions", "POST", Lane.WORK, this::chatCompletions),
        new Route("/v1/models", "GET", Lane.PROBE, this::models));
  }

  private void models(HttpCall call) throws IOException {
    ObjectNode root = JsonBodies.JSON.createObjectNode();
    root.put("object", "list");
    ObjectNode model = root.putArray("data").addObject();
    model.put("id", modelName);
    model.put("object", "model");
    model.put("created", created);
    model.put("owned_by", "dilemma");
    call.sendJson(200, root);
  }

  private void completions(HttpCall call) throws IOException, ApiError {
    CompletionRequest request = CompletionRequest.parse(call.json(), text, vocabSize, generation.maxPositions(), maxPromptBytes);
    run(call, request, new Shape("cmpl-", "text_completion", "text_completion", false));
  }

  private void chatCompletions(HttpCall call) throws IOException, ApiError {
    CompletionRequest request = CompletionRequest.parseChat(call.json(), text, chat, generation.maxPositions(), maxPromptBytes);
    run(call, request, new Shape("chatcmpl-", "chat.completion", "chat.completion.chunk", true));
  }

  /** What differs between the two generation endpoints' bodies. */
  private record Shape(String idPrefix, String object, String chunkObject, boolean chat) {}

  private void run(HttpCall call, CompletionRequest request, Shape shape) throws IOException, ApiError {
    String id = shape.idPrefix() + UUID.randomUUID().toString().replace("-", "");
    String model = request.model() != null ? request.model() : modelName;
    if (request.stream()) {
      stream(call, request, shape, id, model);
      return;
    }
    TextGeneration.Result result;
    try {
      result = generation.run(request.generation(), (token, delta) -> {});
    } catch (ShardFailure failure) {
      throw chainError(failure);
    }
    ObjectNode root = envelope(id, shape.object(), model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    if (shape.chat()) {
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", result.text());
    } else {
      choice.put("text", result.text());
      var tokens = choice.putArray("tokens");
      for (long token : result.tokens()) {
        tokens.add(token);
      }
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", result.finishReason().wire());
    usage(root, request.prompt().length, result.tokens().length);
    ObjectNode timing = root.putObject("timing");
    timing.put("time_to_first_token_ms", result.completion().firstTokenNanos() / 1e6);
    timing.put("decode_tokens_per_second", result.completion().decodeTokensPerSecond());
    timing.put("decode_overhead_us_per_step", result.completion().decodeOverheadMicrosPerStep());
    call.sendJson(200, root);
  }

  /**
   * One event per token, then one with the finish reason, usage if asked for, and {@code [DONE]}.
   * A chain failure after the headers went out arrives as a final event with an {@code error}.
   */
  private void stream(HttpCall call, CompletionRequest request, Shape shape, String id, String model) throws IOException {
    call.startStream("text/event-stream");
    boolean[] first = {true};
    TextGeneration.Result result;
    try {
      result =
          generation.run(
              request.generation(),
              (token, delta) -> {
                ObjectNode chunk = envelope(id, shape.chunkObject(), model);
                ObjectNode choice = chunk.putArray("choices").addObject();
                choice.put("index", 0);
                if (shape.chat()) {
                  ObjectNode d = choice.putObject("delta");
                  if (first[0]) {
                    d.put("role", "assistant");
                  }
                  d.put("content", delta);
                } else {
                  choice.put("text", delta);
                  var tokens = choice.putArray("tokens");
                  if (token >= 0) {
                    tokens.add(token);
                  }
                }
                first[0] = false;
                choice.putNull("logprobs");
                choice.putNull("finish_reason");
                event(call, chunk);
              });
    } catch (ShardFailure failure) {
      event(call, chainError(failure).body());
      call.endStream();
      return;
    }
    ObjectNode last = envelope(id, shape.chunkObject(), model);
    ObjectNode choice = last.putArray("choices").addObject();
    choice.put("index", 0);
    if (shape.chat()) {
      choice.putObject("delta");
    } else {
      choice.put("text", "");
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", result.finishReason().wire());
    event(call, last);
    if (request.includeUsage()) {
      ObjectNode usage = envelope(id, shape.chunkObject(), model);
      usage.putArray("choices");
      usage(usage, request.prompt().length, result.tokens().length);
      event(call, usage);
    }
    call.writeChunk("data: [DONE]\n\n");
    call.endStream();
  }

  private ObjectNode envelope(String id, String object, String model) {
    ObjectNode root = JsonBodies.JSON.createObjectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", System.currentTimeMillis() / 1000);
    root.put("model", model);
    return root;
  }

  private static void usage(ObjectNode root, int promptTokens, int completionTokens) {
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
  }

  private static void event(HttpCall call, JsonNode event) throws IOException {
    call.writeChunk("data: " + JsonBodies.JSON.writeValueAsString(event) + "\n\n");
  }

  /**
   * The head's verdict on a chain failure: 503 (retry) when a shard is unreachable, at its bound
   * of in-flight work or lost the session, 502 when a shard after the head refused the step the
   * head sent, which is never the client's fault; only the head's own refusal is a 400.
   */
  static ApiError chainError(ShardFailure failure) {
    int status =
        switch (failure.kind()) {
          case UNAVAILABLE, SESSION_LOST, OVERLOADED -> 503;
          case REJECTED -> failure.shardIndex() == 0 ? 400 : 502;
        };
    String type = status == 400 ? "invalid_request_error" : "server_error";
    return new ApiError(status, type, null, "shard_" + failure.kind().name().toLowerCase(Locale.ROOT), failure.getMessage(), failure.shardIndex());
  }
}
