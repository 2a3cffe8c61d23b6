package io.dilemma.worker.serving.head;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dilemma.contract.ShardPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How chat messages become one prompt for a base model, which knows no roles. Each message is
 * written with its role's format ({@code {content}} stands for the text), then {@code
 * assistantPrefix} invites the model's reply; {@code stop} ends the reply where the model starts
 * writing the next user turn itself.
 */
public record ChatTemplate(String system, String user, String assistant, String assistantPrefix, List<String> stop) {
  public static final String CONTENT = ShardPlan.ChatTemplate.CONTENT;

  /** The rules are the plan's, so the operator refuses in a spec what a head would refuse here. */
  public ChatTemplate {
    List<String> problems = new ShardPlan.ChatTemplate(system, user, assistant, assistantPrefix, stop).problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("chat template " + problems.get(0));
    }
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  /** Plain dialogue lines, which base models trained on web text continue well. */
  public static ChatTemplate plainDialogue() {
    return new ChatTemplate("{content}\n\n", "User: {content}\n", "Assistant: {content}\n", "Assistant:", List.of("\nUser:"));
  }

  /** A template from the plan, whose reader has checked it. */
  public static ChatTemplate of(ShardPlan.ChatTemplate template) {
    return new ChatTemplate(template.system(), template.user(), template.assistant(), template.assistantPrefix(), template.stop());
  }

  /**
   * The head's template: {@code --chat-template} when given (to try a template on a running plan
   * without the operator), else the plan's ({@code spec.serving.chatTemplate}), else {@link
   * #plainDialogue()}.
   */
  public static ChatTemplate forHead(ShardPlan plan, Optional<ChatTemplate> flag) {
    if (flag.isPresent()) return flag.get();
    return plan.chatTemplate() == null ? plainDialogue() : of(plan.chatTemplate());
  }

  /**
   * Reads a template from JSON: {@code {"system", "user", "assistant", "assistantPrefix", "stop"}};
   * problems name the file and the field.
   */
  public static ChatTemplate read(Path file) throws IOException {
    ShardPlan.ChatTemplate template;
    try {
      template = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build().readValue(file.toFile(), ShardPlan.ChatTemplate.class);
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n');
      throw new IOException(file + ": not a chat template: " + (newline < 0 ? message : message.substring(0, newline)), e);
    }
    List<String> problems = template.problems();
    if (!problems.isEmpty()) {
      throw new IOException(file + ": " + problems.get(0));
    }
    return of(template);
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
