package io.dilemma.worker.bench.quality;

import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Held-out text as the training script scores it: passages separated by a line holding only
 * {@code %} (the fortune format), each passage after OPT's {@code </s>}, all concatenated and cut
 * into non-overlapping windows of the model's context; the first token of a window is context
 * only.
 */
public final class HeldOutText {
  /** A line holding only {@code %}, with the line breaks around it. */
  private static final Pattern SEPARATOR = Pattern.compile("\\n?^%$\\n?", Pattern.MULTILINE);

  private HeldOutText() {}

  /**
   * @param maxWindows the first windows to keep; 0 keeps all
   */
  public static List<long[]> windows(Path file, BpeTokenizer tokenizer, int length, int maxWindows) throws ModelException {
    if (length < 2) {
      throw new IllegalArgumentException("a scoring window needs at least 2 tokens, got " + length);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read the held-out text: " + e.getMessage());
    }
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    long bos = tokenizer.idOf(BpeTokenizer.BEGIN_OF_SEQUENCE);
    List<Long> stream = new ArrayList<>();
    for (String passage : SEPARATOR.split(text, -1)) {
      if (passage.isBlank()) {
        continue;
      }
      stream.add(bos);
      for (long id : tokenizer.encode(passage)) {
        stream.add(id);
      }
    }
    long[] ids = stream.stream().mapToLong(Long::longValue).toArray();
    List<long[]> windows = new ArrayList<>();
    for (int start = 0; start < ids.length - 1 && (maxWindows == 0 || windows.size() < maxWindows); start += length) {
      long[] window = Arrays.copyOfRange(ids, start, Math.min(ids.length, start + length));
      if (window.length >= 2) {
        windows.add(window);
      }
    }
    if (windows.isEmpty()) {
      throw new ModelException(file + ": holds fewer than 2 tokens of text");
    }
    return windows;
  }

  /** Scored predictions in {@code windows}: every token but the first of each window. */
  public static long predictions(List<long[]> windows) {
    return windows.stream().mapToLong(w -> w.length - 1).sum();
  }
}
