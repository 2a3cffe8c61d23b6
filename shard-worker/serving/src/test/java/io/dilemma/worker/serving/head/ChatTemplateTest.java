package io.dilemma.worker.serving.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ShardPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
  private static final ShardPlan.ChatTemplate QUESTION_ANSWER =
      new ShardPlan.ChatTemplate("{content}\n", "Q: {content}\n", "A: {content}\n", "A:", List.of("\nQ:"));
  private static final List<ChatTemplate.Message> CHAT =
      List.of(new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", "Why?"));

  @TempDir Path dir;

  private static ShardPlan head(ShardPlan.ChatTemplate template) {
    return new ShardPlan(
        1, "d", null, "p", 0, 1, "n", new ShardPlan.ModelSource("m", "file:///m", null, null), 0, 0, List.of(8), true, true,
        null, null, null, true, null, template);
  }

  @Test
  void theHeadRendersWithThePlansTemplate() {
    assertThat(ChatTemplate.forHead(head(QUESTION_ANSWER), Optional.empty()).render(CHAT)).isEqualTo("Be brief.\nQ: Why?\nA:");
    assertThat(ChatTemplate.forHead(head(QUESTION_ANSWER), Optional.empty()).stop()).containsExactly("\nQ:");
  }

  @Test
  void theFlagOverridesThePlanAndThePlainDialogueIsTheLastResort() {
    var flag = ChatTemplate.plainDialogue();
    assertThat(ChatTemplate.forHead(head(QUESTION_ANSWER), Optional.of(flag))).isSameAs(flag);
    assertThat(ChatTemplate.forHead(head(null), Optional.empty())).isEqualTo(ChatTemplate.plainDialogue());
  }

  @Test
  void anEmptyPrefixIsAllowedButAFormatWithoutItsContentOrAnEmptyStopIsNot() {
    assertThat(new ChatTemplate("{content}", "{content}", "{content}", "", null).render(CHAT)).isEqualTo("Be brief.Why?");
    assertThatThrownBy(() -> new ChatTemplate("{content}", "{content}", "A:", "", null))
        .hasMessage("chat template assistant: must contain {content}, got \"A:\"");
    assertThatThrownBy(() -> new ChatTemplate("{content}", "{content}", "{content}", "", List.of("")))
        .hasMessage("chat template stop[0]: is empty");
  }

  @Test
  void aFileIsReadWithTheSameRulesNamingTheFileAndTheField() throws IOException {
    Path file = dir.resolve("template.json");
    Files.writeString(file, "{\"system\": \"{content}\", \"user\": \"U: {content}\", \"assistant\": \"{content}\", \"assistantPrefix\": \"\"}");
    assertThat(ChatTemplate.read(file).user()).isEqualTo("U: {content}");
    Files.writeString(file, "{\"system\": \"{content}\", \"user\": \"U:\", \"assistant\": \"{content}\", \"assistantPrefix\": \"\"}");
    assertThatThrownBy(() -> ChatTemplate.read(file)).hasMessage(file + ": user: must contain {content}, got \"U:\"");
    Files.writeString(file, "{\"system\": \"{content}\", \"user\": \"{content}\", \"assistant\": \"{content}\", \"assistant_prefix\": \"\"}");
    assertThatThrownBy(() -> ChatTemplate.read(file)).hasMessageStartingWith(file + ": not a chat template: ").hasMessageContaining("assistant_prefix");
  }
}
