package io.dilemma.worker.serving.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.serving.it.TinyModel;
import io.dilemma.worker.serving.pipeline.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TextGenerationTest {
  /** Token t is the letter 'a' + t; token 0 ends the text. */
  private static final PromptText LETTERS =
      new PromptText() {
        @Override
        public long[] encode(String text) {
          return text.chars().map(c -> c - 'a').asLongStream().toArray();
        }

        @Override
        public TextStream newStream() {
          return new TextStream() {
            @Override
            public String append(long tokenId) {
              return String.valueOf((char) ('a' + tokenId));
            }

            @Override
            public String finish() {
              return "";
            }
          };
        }

        @Override
        public OptionalLong endOfText() {
          return OptionalLong.of(0);
        }
      };

  @RegisterExtension static final HeadFixture head = new HeadFixture();

  private static TextGeneration.Result run(List<String> stop, List<String> shown, long... tokens) throws Exception {
    TextGeneration generation = new TextGeneration(head.engine(new HeadFixture.ScriptedShards(tokens)), LETTERS);
    return generation.run(
        new TextGeneration.Request(TinyModel.prompt(6, 3), tokens.length, Sampling.greedy(), stop), (token, text) -> shown.add(text));
  }

  @Test
  void endsAtAStopSequenceAndNeverShowsAnyOfIt() throws Exception {
    List<String> shown = new ArrayList<>();
    // h e l l o w: stop "llo" must not leak its first "l" while the match is still open
    TextGeneration.Result result = run(List.of("llo"), shown, 7, 4, 11, 11, 14, 22);
    assertThat(result.text()).isEqualTo("he");
    assertThat(String.join("", shown)).isEqualTo("he");
    assertThat(result.finishReason()).isEqualTo(TextGeneration.FinishReason.STOP);
    assertThat(result.tokens()).hasSize(5);
  }

  @Test
  void heldTextIsReleasedWhenTheMatchFails() throws Exception {
    List<String> shown = new ArrayList<>();
    TextGeneration.Result result = run(List.of("llx"), shown, 7, 4, 11, 11, 14);
    assertThat(result.text()).isEqualTo("hello");
    assertThat(String.join("", shown)).isEqualTo("hello");
    assertThat(result.finishReason()).isEqualTo(TextGeneration.FinishReason.LENGTH);
  }

  @Test
  void theEndOfTextTokenStopsWithoutText() throws Exception {
    List<String> shown = new ArrayList<>();
    TextGeneration.Result result = run(List.of(), shown, 7, 0, 4);
    assertThat(result.text()).isEqualTo("h");
    assertThat(result.finishReason()).isEqualTo(TextGeneration.FinishReason.STOP);
  }
}
