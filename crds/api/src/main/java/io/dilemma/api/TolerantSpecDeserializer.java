package io.dilemma.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Reads an {@link LLMDeployment}'s spec, or, when it cannot be read, {@link
 * LLMDeploymentSpec#unreadable} with the reason. The informer deserialises every deployment in one
 * list; a single failure there would stop the operator for all of them.
 */
final class TolerantSpecDeserializer extends JsonDeserializer<LLMDeploymentSpec> {
  @Override
  public LLMDeploymentSpec deserialize(JsonParser parser, DeserializationContext context)
      throws IOException {
    JsonNode tree = context.readTree(parser);
    try {
      return context.readTreeAsValue(tree, LLMDeploymentSpec.class);
    } catch (JsonMappingException e) {
      return LLMDeploymentSpec.unreadable(describe(e));
    } catch (RuntimeException e) {
      // A compact constructor that throws is as unreadable as a bad number.
      return LLMDeploymentSpec.unreadable("spec: " + e.getMessage());
    }
  }

  /** {@code spec.allowedBits[1]: cannot be read: Numeric value (99999999999) out of range of int}. */
  static String describe(JsonMappingException e) {
    String path =
        e.getPath().stream()
            .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining());
    String reason = e.getOriginalMessage();
    int newline = reason.indexOf('\n');
    if (newline >= 0) reason = reason.substring(0, newline);
    return "spec" + path + ": cannot be read: " + reason;
  }
}
