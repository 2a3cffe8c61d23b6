package io.dilemma.worker.serving.head;

import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.tokenizer.TextAssembler;
import java.util.OptionalLong;

/** Turns text prompts into token ids and generated ids back into text (the model's tokenizer). */
public interface PromptText {
  long[] encode(String text);

  /** A decoder for one generation, which holds back a character until all its bytes have arrived. */
  TextStream newStream();

  /** The token that ends a generation, if the model has one. */
  OptionalLong endOfText();

  default String decode(long[] tokenIds) {
    TextStream stream = newStream();
    StringBuilder text = new StringBuilder();
    for (long id : tokenIds) {
      text.append(stream.append(id));
    }
    return text.append(stream.finish()).toString();
  }

  /** Text of one generation, token by token; never contains U+FFFD or control characters. */
  interface TextStream {
    /** What {@code tokenId} completes; may be empty. */
    String append(long tokenId);

    /** Whatever is still held, once the generation ended. */
    String finish();
  }

  static PromptText of(BpeTokenizer tokenizer) {
    return new PromptText() {
      @Override
      public long[] encode(String text) {
        return tokenizer.encode(text);
      }

      @Override
      public TextStream newStream() {
        TextAssembler assembler = new TextAssembler();
        return new TextStream() {
          @Override
          public String append(long tokenId) {
            return assembler.append(tokenizer.bytesOf(tokenId));
          }

          @Override
          public String finish() {
            return assembler.finish();
          }
        };
      }

      @Override
      public OptionalLong endOfText() {
        return tokenizer.endOfText();
      }
    };
  }

  /** For models shipped without a tokenizer: prompts must then be token ids, and the text is empty. */
  PromptText NONE =
      new PromptText() {
        @Override
        public long[] encode(String text) {
          throw new IllegalArgumentException(
              "this model has no tokenizer (vocab.json + merges.txt); send the prompt as an array of token ids");
        }

        @Override
        public TextStream newStream() {
          return new TextStream() {
            @Override
            public String append(long tokenId) {
              return "";
            }

            @Override
            public String finish() {
              return "";
            }
          };
        }

        @Override
        public OptionalLong endOfText() {
          return OptionalLong.empty();
        }
      };
}
