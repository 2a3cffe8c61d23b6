package io.dilemma.worker.serving.head;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How chat messages become one prompt for a base model, which knows no roles. Each message is
 * written with its role's format ({@code {content}} stands for the text), then {@code
 * assistantPrefix} invites the model's reply; {@code stop} ends the reply where the model starts
 * writing the next user turn itself.
 */
public record ChatTemplate(String system, String user, String assistant, String assistantPrefix, List<String> stop) {
  public static final String CONTENT = "{content}";

  public ChatTemplate {
    for (String format : List.of(system, user, assistant)) {
      if (format == null || !format.contains(CONTENT)) {
        throw new IllegalArgumentException("every role format of a chat template must contain " + CONTENT + ", got " + format);
      }
    }
    if (assistantPrefix == null) {
      throw new IllegalArgumentException("a chat template needs an assistantPrefix");
    }
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  /** Plain dialogue lines, which base models trained on web text continue well. */
  public static ChatTemplate plainDialogue() {
    return new ChatTemplate("{content}\n\n", "User: {content}\n", "Assistant: {content}\n", "Assistant:", List.of("\nUser:"));
  }

  /** Reads a template from JSON: {@code {"system", "user", "assistant", "assistantPrefix", "stop"}}. */
  public static ChatTemplate read(Path file) throws IOException {
    try {
      return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build().readValue(file.toFile(), ChatTemplate.class);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n');
      throw new IOException(file + ": not a chat template: " + (newline < 0 ? message : message.substring(0, newline)), e);
    }
  }

  /** A message of a chat: role is {@code system} (or {@code developer}), {@code user} or {@code assistant}. */
  public record Message(String role, String content) {}

  public String render(List<Message> messages) {
    StringBuilder prompt = new StringBuilder();
    for (Message message : messages) {
      String format =
          switch (message.role()) {
            case "system", "developer" -> system;
            case "user" -> user;
            case "assistant" -> assistant;
            default -> throw new IllegalArgumentException("unknown role " + message.role());
          };
      prompt.append(format.replace(CONTENT, message.content()));
    }
    return prompt.append(assistantPrefix).toString();
  }
}
