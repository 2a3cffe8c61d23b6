package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldOutTextTest {
  @TempDir Path dir;

  private final BpeTokenizer tokenizer = BpeTrainer.train("the cat sat on the mat", 300).tokenizer();

  @Test
  void everyPassageStartsWithEndOfSequenceAndWindowsDoNotOverlap() throws Exception {
    Path file = Files.writeString(dir.resolve("heldout.txt"), "the cat\n%\nsat on\nthe mat\n");
    long bos = tokenizer.idOf(BpeTokenizer.BEGIN_OF_SEQUENCE);
    long[] first = tokenizer.encode("the cat");
    long[] second = tokenizer.encode("sat on\nthe mat");
    int total = 2 + first.length + second.length;
    List<long[]> windows = HeldOutText.windows(file, tokenizer, 4, 0);
    long[] joined = windows.stream().flatMapToLong(java.util.Arrays::stream).toArray();
    assertThat(joined).hasSize(total);
    assertThat(joined[0]).isEqualTo(bos);
    assertThat(joined[1 + first.length]).isEqualTo(bos);
    assertThat(windows.subList(0, windows.size() - 1)).allSatisfy(w -> assertThat(w).hasSize(4));
    assertThat(HeldOutText.predictions(windows)).isEqualTo(total - windows.size());
    assertThat(HeldOutText.windows(file, tokenizer, 4, 1)).hasSize(1);
  }

  @Test
  void emptyTextIsAnErrorNamingTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.txt"), "\n%\n");
    assertThatThrownBy(() -> HeldOutText.windows(file, tokenizer, 8, 0)).isInstanceOf(ModelException.class).hasMessageContaining("empty.txt");
  }
}
