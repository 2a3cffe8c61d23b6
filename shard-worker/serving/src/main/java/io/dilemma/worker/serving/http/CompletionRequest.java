package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.head.TextGeneration;
import io.dilemma.worker.serving.pipeline.Sampling;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated {@code POST /v1/completions} or {@code POST /v1/chat/completions} body: the OpenAI
 * fields we serve, and a 400 naming the field for anything else.
 */
record CompletionRequest(
    long[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean stream, boolean includeUsage, String model) {
  static final int DEFAULT_MAX_TOKENS = 16;
  static final int MAX_STOP_SEQUENCES = 4;

  /**
   * Fields of the API we do not implement, each with its value that means "not used" ({@code
   * logprobs} is a boolean in chat and a count in completions, so false and 0 both pass).
   */
  private static final Map<String, Double> UNSUPPORTED_UNLESS =
      Map.of("logprobs", 0.0, "echo", 0.0, "best_of", 1.0, "presence_penalty", 0.0, "frequency_penalty", 0.0, "top_logprobs", 0.0);

  TextGeneration.Request generation() {
    return new TextGeneration.Request(prompt, maxTokens, sampling, stop);
  }

  /** {@code POST /v1/completions}: a text prompt or an array of token ids. */
  static CompletionRequest parse(JsonNode body, PromptText text, int vocabSize, int maxPositions, int maxPromptBytes) throws ApiError {
    requireObject(body);
    long[] prompt = prompt(body.get("prompt"), text, vocabSize, maxPromptBytes);
    return withPrompt(body, prompt, List.of(), DEFAULT_MAX_TOKENS, maxPositions);
  }

  /** {@code POST /v1/chat/completions}: messages rendered with the chat template. */
  static CompletionRequest parseChat(JsonNode body, PromptText text, ChatTemplate template, int maxPositions, int maxPromptBytes)
      throws ApiError {
    requireObject(body);
    List<ChatTemplate.Message> messages = messages(body.get("messages"));
    String rendered = template.render(messages);
    long[] prompt = encode(rendered, "messages", text, maxPromptBytes);
    int room = maxPositions - prompt.length;
    return withPrompt(body, prompt, template.stop(), Math.max(1, room), maxPositions);
  }

  private static CompletionRequest withPrompt(JsonNode body, long[] prompt, List<String> templateStops, int defaultMaxTokens, int maxPositions)
      throws ApiError {
    for (Map.Entry<String, Double> field : UNSUPPORTED_UNLESS.entrySet()) {
      JsonNode node = body.get(field.getKey());
      boolean unused =
          node == null || node.isNull() || (node.isBoolean() && !node.asBoolean()) || (node.isNumber() && node.asDouble() == field.getValue());
      if (!unused) {
        throw ApiError.unsupported(field.getKey(), field.getKey() + " is not supported, got " + node);
      }
    }
    for (String name : List.of("suffix", "logit_bias", "tools", "functions", "response_format", "tool_choice")) {
      JsonNode node = body.get(name);
      if (node != null && !node.isNull() && !(node.isContainerNode() && node.isEmpty())) {
        throw ApiError.unsupported(name, name + " is not supported");
      }
    }
    String tokensField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    int maxTokens = intField(body, tokensField, defaultMaxTokens, 1);
    if ((long) prompt.length + maxTokens > maxPositions) {
      throw ApiError.badRequest(tokensField,
          "prompt (" + prompt.length + " tokens) + " + tokensField + " (" + maxTokens + ") exceeds the model's context of " + maxPositions);
    }
    double temperature = numberField(body, "temperature", 1.0);
    if (!(temperature >= 0 && temperature <= 100)) {
      throw ApiError.badRequest("temperature", "temperature must be within [0, 100], got " + temperature);
    }
    // "-0" passes the check above but sorts below 0 (Float.compare) and would reach the shards'
    // sampler as -0; adding 0.0 makes it +0, the greedy choice it means
    temperature += 0.0;
    double topP = numberField(body, "top_p", 1.0);
    if (topP != 1.0) {
      throw ApiError.unsupported("top_p", "top_p other than 1 is not supported (nucleus sampling is not implemented), got " + topP);
    }
    int n = intField(body, "n", 1, 1);
    if (n != 1) {
      throw ApiError.unsupported("n", "n other than 1 is not supported, got " + n);
    }
    JsonNode seed = body.get("seed");
    if (seed != null && !seed.isNull() && !(seed.isIntegralNumber() && seed.canConvertToLong())) {
      throw ApiError.badRequest("seed", "seed must be an integer, got " + seed);
    }
    long seedValue = seed == null || seed.isNull() ? ThreadLocalRandom.current().nextLong() : seed.asLong();
    boolean stream = booleanField(body, "stream");
    JsonNode options = body.get("stream_options");
    boolean includeUsage = options != null && options.isObject() && options.path("include_usage").asBoolean(false);
    List<String> stop = new ArrayList<>(stops(body.get("stop")));
    templateStops.stream().filter(s -> !stop.contains(s)).forEach(stop::add);
    JsonNode model = body.get("model");
    return new CompletionRequest(
        prompt, maxTokens, new Sampling((float) temperature, seedValue), List.copyOf(stop), stream, includeUsage,
        model == null || !model.isTextual() ? null : model.asText());
  }

  private static void requireObject(JsonNode body) throws ApiError {
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest(null, "the request body must be a JSON object");
    }
  }

  private static long[] prompt(JsonNode prompt, PromptText text, int vocabSize, int maxPromptBytes) throws ApiError {
    if (prompt == null || prompt.isNull()) {
      throw ApiError.badRequest("prompt", "prompt is required: a string or an array of token ids");
    }
    long[] ids;
    if (prompt.isTextual()) {
      ids = encode(prompt.asText(), "prompt", text, maxPromptBytes);
    } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      ids = encode(prompt.get(0).asText(), "prompt", text, maxPromptBytes);
    } else if (prompt.isArray()) {
      ids = new long[prompt.size()];
      for (int i = 0; i < ids.length; i++) {
        JsonNode id = prompt.get(i);
        if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 0 || id.asLong() >= vocabSize) {
          throw ApiError.badRequest("prompt", "prompt[" + i + "] must be a token id in 0.." + (vocabSize - 1) + ", got " + id);
        }
        ids[i] = id.asLong();
      }
    } else {
      throw ApiError.badRequest("prompt", "prompt must be a string or an array of token ids");
    }
    if (ids.length == 0) {
      throw ApiError.badRequest("prompt", "prompt is empty");
    }
    return ids;
  }

  /** Refuses text larger than {@code maxPromptBytes} before the tokenizer spends anything on it. */
  private static long[] encode(String prompt, String field, PromptText text, int maxPromptBytes) throws ApiError {
    int bytes = utf8Length(prompt);
    if (bytes > maxPromptBytes) {
      throw ApiError.badRequest(field, field + " is " + bytes + " bytes of UTF-8; at most " + maxPromptBytes + " are accepted");
    }
    try {
      return text.encode(prompt);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(field, e.getMessage());
    }
  }

  private static int utf8Length(String text) {
    return text.length() * 3 <= Integer.MAX_VALUE ? text.getBytes(StandardCharsets.UTF_8).length : Integer.MAX_VALUE;
  }

  private static List<ChatTemplate.Message> messages(JsonNode messages) throws ApiError {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ApiError.badRequest("messages", "messages is required: a non-empty array of {role, content}");
    }
    List<ChatTemplate.Message> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String param = "messages[" + i + "]";
      String role = message.path("role").asText("");
      if (!List.of("system", "developer", "user", "assistant").contains(role)) {
        throw ApiError.badRequest(param + ".role", param + ".role must be system, developer, user or assistant, got " + message.get("role"));
      }
      out.add(new ChatTemplate.Message(role, content(message.get("content"), param + ".content")));
    }
    return out;
  }

  /** A string, or an array of {@code {"type": "text", "text": …}} parts. */
  private static String content(JsonNode content, String param) throws ApiError {
    if (content != null && content.isTextual()) {
      return content.asText();
    }
    if (content != null && content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiError.unsupported(param, param + " may hold text parts only, got " + part.path("type"));
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.badRequest(param, param + " must be a string or an array of text parts");
  }

  private static List<String> stops(JsonNode stop) throws ApiError {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    List<String> stops = new ArrayList<>();
    if (stop.isTextual()) {
      stops.add(stop.asText());
    } else if (stop.isArray() && stop.size() <= MAX_STOP_SEQUENCES) {
      for (JsonNode each : stop) {
        if (!each.isTextual()) {
          throw ApiError.badRequest("stop", "stop must be a string or an array of up to " + MAX_STOP_SEQUENCES + " strings");
        }
        stops.add(each.asText());
      }
    } else {
      throw ApiError.badRequest("stop", "stop must be a string or an array of up to " + MAX_STOP_SEQUENCES + " strings");
    }
    if (stops.stream().anyMatch(String::isEmpty)) {
      throw ApiError.badRequest("stop", "a stop sequence must not be empty");
    }
    return stops;
  }

  private static int intField(JsonNode body, String name, int fallback, int min) throws ApiError {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
      throw ApiError.badRequest(name, name + " must be an integer ≥ " + min + ", got " + node);
    }
    return node.asInt();
  }

  private static double numberField(JsonNode body, String name, double fallback) throws ApiError {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw ApiError.badRequest(name, name + " must be a number, got " + node);
    }
    return node.asDouble();
  }

  private static boolean booleanField(JsonNode body, String name) throws ApiError {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw ApiError.badRequest(name, name + " must be true or false");
    }
    return node.asBoolean();
  }
}
