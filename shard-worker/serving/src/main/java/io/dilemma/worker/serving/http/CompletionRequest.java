package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.pipeline.Sampling;
import java.util.concurrent.ThreadLocalRandom;

/** A validated {@code POST /v1/completions} body (the OpenAI completions subset we serve). */
record CompletionRequest(long[] prompt, int maxTokens, Sampling sampling, boolean stream, String model) {
  static final int DEFAULT_MAX_TOKENS = 16;

  /** Reads the body; every problem is a {@link BadRequest} naming the field. */
  static CompletionRequest parse(JsonNode body, PromptText text, int vocabSize, int maxPositions) throws BadRequest {
    if (body == null || !body.isObject()) {
      throw new BadRequest("the request body must be a JSON object");
    }
    long[] prompt = prompt(body.get("prompt"), text, vocabSize);
    int maxTokens = intField(body, "max_tokens", DEFAULT_MAX_TOKENS, 1, Integer.MAX_VALUE);
    if ((long) prompt.length + maxTokens > maxPositions) {
      throw new BadRequest(
          "prompt (" + prompt.length + " tokens) + max_tokens (" + maxTokens + ") exceeds the model's context of " + maxPositions);
    }
    double temperature = numberField(body, "temperature", 1.0);
    if (!(temperature >= 0 && temperature <= 100)) {
      throw new BadRequest("temperature must be within [0, 100], got " + temperature);
    }
    JsonNode seed = body.get("seed");
    if (seed != null && !seed.isNull() && !seed.canConvertToLong()) {
      throw new BadRequest("seed must be an integer");
    }
    long seedValue = seed == null || seed.isNull() ? ThreadLocalRandom.current().nextLong() : seed.asLong();
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      throw new BadRequest("stream must be true or false");
    }
    JsonNode model = body.get("model");
    return new CompletionRequest(
        prompt,
        maxTokens,
        new Sampling((float) temperature, seedValue),
        stream != null && stream.asBoolean(),
        model == null || !model.isTextual() ? null : model.asText());
  }

  private static long[] prompt(JsonNode prompt, PromptText text, int vocabSize) throws BadRequest {
    if (prompt == null || prompt.isNull()) {
      throw new BadRequest("prompt is required: a string or an array of token ids");
    }
    long[] ids;
    if (prompt.isTextual()) {
      try {
        ids = text.encode(prompt.asText());
      } catch (IllegalArgumentException e) {
        throw new BadRequest(e.getMessage());
      }
    } else if (prompt.isArray()) {
      ids = new long[prompt.size()];
      for (int i = 0; i < ids.length; i++) {
        JsonNode id = prompt.get(i);
        if (!id.canConvertToLong() || id.asLong() < 0 || id.asLong() >= vocabSize) {
          throw new BadRequest("prompt[" + i + "] must be a token id in 0.." + (vocabSize - 1) + ", got " + id);
        }
        ids[i] = id.asLong();
      }
    } else {
      throw new BadRequest("prompt must be a string or an array of token ids");
    }
    if (ids.length == 0) {
      throw new BadRequest("prompt is empty");
    }
    return ids;
  }

  private static int intField(JsonNode body, String name, int fallback, int min, int max) throws BadRequest {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
      throw new BadRequest(name + " must be an integer ≥ " + min + ", got " + node);
    }
    return node.asInt();
  }

  private static double numberField(JsonNode body, String name, double fallback) throws BadRequest {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw new BadRequest(name + " must be a number, got " + node);
    }
    return node.asDouble();
  }

  /** A request the client must fix: answered with 400 and this message. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message);
    }
  }
}
