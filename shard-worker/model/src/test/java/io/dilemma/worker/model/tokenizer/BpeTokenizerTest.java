package io.dilemma.worker.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.model.core.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {
  @TempDir Path dir;

  /** A GPT-2 style vocabulary: 'Ġ' is the byte-level character of a space. */
  private BpeTokenizer smallVocabulary() throws Exception {
    Files.writeString(
        dir.resolve("vocab.json"),
        """
        {"</s>": 2, "h": 10, "e": 11, "l": 12, "o": 13, "Ġ": 14, "w": 15, "r": 16, "d": 17,
         "he": 20, "ll": 21, "hell": 22, "hello": 23, "Ġw": 24, "or": 25, "Ġwor": 26, "!": 27}
        """);
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ w\no r\nĠw or\n");
    return BpeTokenizer.load(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
  }

  @Test
  void mergesByPriorityWithinEachPreTokenizedPiece() throws Exception {
    BpeTokenizer tokenizer = smallVocabulary();
    assertThat(tokenizer.encode("hello world!")).containsExactly(23, 26, 12, 17, 27);
    assertThat(tokenizer.encode("hello")).containsExactly(23);
  }

  @Test
  void decodingInvertsEncoding() throws Exception {
    BpeTokenizer tokenizer = smallVocabulary();
    assertThat(tokenizer.decode(tokenizer.encode("hello world!"))).isEqualTo("hello world!");
    assertThat(tokenizer.decode(new long[] {2, 23})).isEqualTo("hello");
  }

  @Test
  void textOutsideTheVocabularyIsReportedByToken() throws Exception {
    assertThatThrownBy(() -> smallVocabulary().encode("xyz")).hasMessageContaining("'x'");
  }

  @Test
  void aMalformedMergesLineNamesTheFileAndLine() throws Exception {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
    assertThatThrownBy(() -> BpeTokenizer.load(dir.resolve("vocab.json"), dir.resolve("merges.txt")))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("merges.txt: line 2");
  }

  @Test
  void aTrainedByteLevelVocabularyRoundTripsAnyUtf8Text() {
    BpeTrainer.Trained trained = BpeTrainer.train("the cat sat on the mat, the cat ran", 300);
    BpeTokenizer tokenizer = trained.tokenizer();
    String text = "the cat — naïve 東京 ✓";
    long[] ids = tokenizer.encode(text);
    assertThat(tokenizer.decode(ids)).isEqualTo(text);
    assertThat(tokenizer.encode("the cat")).hasSizeLessThan("the cat".length());
    assertThat(trained.vocab()).hasSizeLessThanOrEqualTo(300).containsEntry("</s>", 2);
  }

  /** Issue 12 defect 3: unique words from clients must not grow the cache without bound. */
  @Test
  void theMergeCacheStaysBoundedUnderUniqueWords() throws Exception {
    BpeTokenizer tokenizer = smallVocabulary();
    String letters = "helowrd";
    for (int i = 0; i < 3 * PieceCache.DEFAULT_ENTRIES; i++) {
      StringBuilder word = new StringBuilder(" ");
      for (int n = i; word.length() < 7; n /= letters.length()) {
        word.append(letters.charAt(n % letters.length()));
      }
      tokenizer.encode(word.toString());
    }
    assertThat(tokenizer.cachedPieces()).isLessThanOrEqualTo(PieceCache.DEFAULT_ENTRIES);
    assertThat(tokenizer.encode("hello")).containsExactly(23);
  }

  @Test
  void decodedTextHasNoReplacementCharacterWhenATokenEndsMidCharacter() throws Exception {
    Files.writeString(dir.resolve("vocab.json"), "{\"\u00e2\u0124\": 1, \"\u00ac\": 2, \"a\": 3}");
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
    BpeTokenizer tokenizer = BpeTokenizer.load(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    // token 1 is the bytes E2 82, token 2 the byte AC: together they are the euro sign
    assertThat(tokenizer.decode(new long[] {3, 1, 2})).isEqualTo("a€");
    assertThat(tokenizer.decode(new long[] {3, 1})).isEqualTo("a");
  }
}
