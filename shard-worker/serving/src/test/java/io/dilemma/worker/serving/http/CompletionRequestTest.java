package io.dilemma.worker.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dilemma.worker.serving.head.PromptText;
import org.junit.jupiter.api.Test;

class CompletionRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PromptText BYTES =
      new PromptText() {
        @Override
        public long[] encode(String text) {
          return text.chars().asLongStream().toArray();
        }

        @Override
        public String decode(long[] ids) {
          return "";
        }
      };

  private static CompletionRequest parse(String json) throws Exception {
    return CompletionRequest.parse(JSON.readTree(json), BYTES, 1000, 64);
  }

  @Test
  void acceptsTextOrTokenIdsWithOpenAiDefaults() throws Exception {
    CompletionRequest text = parse("{\"prompt\":\"hi\",\"seed\":7,\"stream\":true}");
    assertThat(text.prompt()).containsExactly('h', 'i');
    assertThat(text.maxTokens()).isEqualTo(CompletionRequest.DEFAULT_MAX_TOKENS);
    assertThat(text.sampling().temperature()).isEqualTo(1f);
    assertThat(text.sampling().seed()).isEqualTo(7);
    assertThat(text.stream()).isTrue();
    CompletionRequest ids = parse("{\"prompt\":[5,6,7],\"max_tokens\":3,\"temperature\":0}");
    assertThat(ids.prompt()).containsExactly(5, 6, 7);
    assertThat(ids.sampling().temperature()).isZero();
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
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"seed\":\"x\"}")).hasMessage("seed must be an integer");
    assertThatThrownBy(() -> parse("{\"prompt\":[1],\"stream\":\"yes\"}")).hasMessage("stream must be true or false");
    assertThatThrownBy(() -> CompletionRequest.parse(JSON.readTree("{\"prompt\":\"hi\"}"), PromptText.NONE, 10, 10))
        .hasMessageContaining("send the prompt as an array of token ids");
  }
}
