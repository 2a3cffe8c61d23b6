package io.dilemma.worker.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.head.PromptText;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompletionRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger encoded = new AtomicInteger();
  private static final PromptText BYTES =
      new PromptText() {
        @Override
        public long[] encode(String text) {
          encoded.incrementAndGet();
          return text.chars().asLongStream().toArray();
        }

        @Override
        public TextStream newStream() {
          return PromptText.NONE.newStream();
        }

        @Override
        public OptionalLong endOfText() {
          return OptionalLong.empty();
        }
      };

  private static CompletionRequest parse(String json) throws Exception {
    return CompletionRequest.parse(JSON.readTree(json), BYTES, 1000, 64, 40);
  }

  @Test
  void acceptsTextOrTokenIdsWithOpenAiDefaults() throws Exception {
    CompletionRequest text = parse("{\"prompt\":\"hi\",\"seed\":7,\"stream\":true,\"stop\":\"\\n\"}");
    assertThat(text.prompt()).containsExactly('h', 'i');
    assertThat(text.maxTokens()).isEqualTo(CompletionRequest.DEFAULT_MAX_TOKENS);
    assertThat(text.sampling().temperature()).isEqualTo(1f);
    assertThat(text.sampling().seed()).isEqualTo(7);
    assertThat(text.stream()).isTrue();
    assertThat(text.stop()).containsExactly("\n");
    CompletionRequest ids = parse("{\"prompt\":[5,6,7],\"max_tokens\":3,\"temperature\":0,\"top_p\":1,\"n\":1,\"stop\":[\"a\",\"b\"]}");
    assertThat(ids.prompt()).containsExactly(5, 6, 7);
    assertThat(ids.sampling().temperature()).isZero();
    assertThat(ids.stop()).containsExactly("a", "b");
  }

  @Test
  void aNegativeZeroTemperatureIsZero() throws Exception {
    // found by CompletionRequestFuzzTest: "-0e7" passed the [0, 100] check as -0
    CompletionRequest request = parse("{\"prompt\":[1],\"temperature\":-0e7}");
    assertThat(Float.compare(request.sampling().temperature(), 0f)).isZero();
  }

  @Test
  void namesTheFieldThatIsWrong() {
    assertThatThrownBy(() -> parse("[]")).hasMessage("the request body must be a JSON object");
    assertThatThrownBy(() -> parse("{}")).hasMessageContaining("prompt is required");
    assertThatThrownBy(() -> parse("{\"prompt\":[]}")).hasMessage("prompt is empty");
    assertThatThrownBy(() -> parse("{\"prompt\":[1,\"x\"]}")).hasMessageStartingWith("prompt[1] must be a token id in 0..999");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"max_tokens\":0}")).hasMessageStartingWith("max_tokens must be an integer ≥ 1");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"max_tokens\":64}")).hasMessageContaining("exceeds the model's context of 64");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"temperature\":-1}")).hasMessageStartingWith("temperature must be within");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"seed\":\"x\"}")).hasMessageStartingWith("seed must be an integer");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"stream\":\"yes\"}")).hasMessage("stream must be true or false");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"stop\":[\"\"]}")).hasMessage("a stop sequence must not be empty");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}")).hasMessageContaining("up to 4 strings");
    assertThatThrownBy(() -> CompletionRequest.parse(JSON.readTree("{\"prompt\":\"hi\"}"), PromptText.NONE, 10, 10, 100))
        .hasMessageContaining("send the prompt as an array of token ids");
  }

  @Test
  void fractionalTokenIdsAndSeedsAreRefusedNotTruncated() {
    assertThatThrownBy(() -> parse("{\"prompt\":[5.7]}")).isInstanceOf(ApiError.class).hasMessageStartingWith("prompt[0] must be a token id");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"seed\":7.5}")).hasMessage("seed must be an integer, got 7.5");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"max_tokens\":2.5}")).hasMessageStartingWith("max_tokens must be an integer");
  }

  @Test
  void whatIsNotImplementedIsAClear400() {
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"top_p\":0.9}")).hasMessageStartingWith("top_p other than 1 is not supported");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"n\":2}")).hasMessageStartingWith("n other than 1 is not supported");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"logprobs\":3}")).hasMessageStartingWith("logprobs is not supported");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"suffix\":\"x\"}")).hasMessageStartingWith("suffix is not supported");
  }

  @Test
  void aPromptLargerThanTheByteLimitIsRefusedBeforeTokenising() {
    int before = encoded.get();
    assertThatThrownBy(() -> parse("{\"prompt\":\"" + "é".repeat(21) + "\"}"))
        .hasMessage("prompt is 42 bytes of UTF-8; at most 40 are accepted");
    assertThat(encoded.get()).isEqualTo(before);
  }

  @Test
  void chatMessagesAreRenderedWithTheTemplateAndItsStopSequence() throws Exception {
    CompletionRequest chat =
        CompletionRequest.parseChat(
            JSON.readTree("{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"max_completion_tokens\":5}"),
            BYTES, ChatTemplate.plainDialogue(), 200, 1000);
    StringBuilder prompt = new StringBuilder();
    for (long c : chat.prompt()) {
      prompt.append((char) c);
    }
    assertThat(prompt.toString()).isEqualTo("S\n\nUser: Hi\nAssistant:");
    assertThat(chat.maxTokens()).isEqualTo(5);
    assertThat(chat.stop()).containsExactly("\nUser:");
    assertThatThrownBy(() -> CompletionRequest.parseChat(JSON.readTree("{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"), BYTES, ChatTemplate.plainDialogue(), 200, 1000))
        .hasMessageStartingWith("messages[0].role must be");
  }
}
