package io.dilemma.worker.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.tokenizer.BpeTrainer;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.head.PromptText;
import java.util.Arrays;

/**
 * What the head does with a request body, before any model work: whatever bytes a client posts to
 * {@code /v1/completions} or {@code /v1/chat/completions}, they either become a request the engine
 * can run (token ids in the vocabulary, prompt + max tokens within the context, a temperature in
 * range) or a 400 whose one-line message names what to fix. Anything else would be a 500 or worse.
 * The first byte picks the endpoint, the rest is the body. A normal build replays the seeds in
 * src/test/resources/.../CompletionRequestFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class CompletionRequestFuzzTest {
  private static final BpeTokenizer TOKENIZER = BpeTrainer.train("the cat sat on the mat; a dog ate the hat.", 300).tokenizer();
  private static final PromptText TEXT = PromptText.of(TOKENIZER);
  private static final ChatTemplate CHAT = ChatTemplate.plainDialogue();
  private static final int VOCAB = TOKENIZER.vocabularySize();
  private static final int MAX_POSITIONS = 64;
  private static final int MAX_PROMPT_BYTES = 512;

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"\"prompt\"", "\"messages\"", "\"role\"", "\"content\"", "\"user\"", "\"max_tokens\"",
      "\"max_completion_tokens\"", "\"temperature\"", "\"stop\"", "\"seed\"", "\"stream\"", "\"stream_options\"",
      "\"include_usage\"", "\"logprobs\"", "\"n\"", "\"top_p\"", "\"type\"", "\"text\"", "1e308", "-0", "\\u0000"})
  void parsesOrRefusesAnyBody(byte[] input) {
    if (input.length == 0) {
      return;
    }
    boolean chat = (input[0] & 1) == 1;
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    CompletionRequest request;
    try {
      var json = JsonBodies.parse(body);
      request =
          chat
              ? CompletionRequest.parseChat(json, TEXT, CHAT, MAX_POSITIONS, MAX_PROMPT_BYTES)
              : CompletionRequest.parse(json, TEXT, VOCAB, MAX_POSITIONS, MAX_PROMPT_BYTES);
    } catch (ApiError refused) {
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.getMessage()).isNotBlank().doesNotContain("\n", "\r");
      assertThat(JsonBodies.write(refused.body())).isNotEmpty();
      return;
    }
    assertThat(request.prompt()).isNotEmpty();
    assertThat(Arrays.stream(request.prompt())).allMatch(id -> id >= 0 && id < VOCAB);
    assertThat(request.maxTokens()).isPositive();
    assertThat((long) request.prompt().length + request.maxTokens()).isLessThanOrEqualTo(MAX_POSITIONS);
    assertThat(request.sampling().temperature()).isBetween(0f, 100f);
    assertThat(request.stop()).noneMatch(String::isEmpty);
  }
}
