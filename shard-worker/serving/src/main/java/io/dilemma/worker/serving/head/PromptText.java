package io.dilemma.worker.serving.head;

/** Turns text prompts into token ids and generated ids back into text (the model's tokenizer). */
public interface PromptText {
  long[] encode(String text);

  String decode(long[] tokenIds);

  /** For models shipped without a tokenizer: prompts must then be token ids. */
  PromptText NONE =
      new PromptText() {
        @Override
        public long[] encode(String text) {
          throw new IllegalArgumentException(
              "this model has no tokenizer (vocab.json + merges.txt); send the prompt as an array of token ids");
        }

        @Override
        public String decode(long[] tokenIds) {
          return "";
        }
      };
}
