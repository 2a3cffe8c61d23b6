package io.dilemma.worker.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns a small byte-level BPE vocabulary from a text, so synthesised models accept text prompts.
 * Ids follow OPT's layout: {@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3, then
 * the 256 byte symbols, then merged tokens.
 */
public final class BpeTrainer {
  public static final List<String> SPECIAL_TOKENS = List.of("<s>", "<pad>", "</s>", "<unk>");
  private static final Pattern PIECES =
      Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private BpeTrainer() {}

  /** Vocabulary and merges with at most {@code vocabSize} entries. */
  public record Trained(Map<String, Integer> vocab, List<String[]> merges) {
    public BpeTokenizer tokenizer() {
      return new BpeTokenizer(vocab, merges);
    }
  }

  public static Trained train(String text, int vocabSize) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    SPECIAL_TOKENS.forEach(t -> vocab.put(t, vocab.size()));
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(ByteAlphabet.toChar((byte) b)), vocab.size());
    }
    if (vocab.size() > vocabSize) {
      throw new IllegalArgumentException("a byte-level vocabulary needs at least " + vocab.size() + " entries, got " + vocabSize);
    }
    Map<List<String>, Integer> words = new HashMap<>();
    Matcher pieces = PIECES.matcher(text);
    while (pieces.find()) {
      String piece = ByteAlphabet.encode(pieces.group().getBytes(StandardCharsets.UTF_8));
      List<String> symbols = new ArrayList<>();
      piece.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
      words.merge(symbols, 1, Integer::sum);
    }
    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < vocabSize) {
      Map<String, Integer> pairCounts = new HashMap<>();
      Map<String, String[]> pairs = new HashMap<>();
      words.forEach(
          (symbols, count) -> {
            for (int i = 0; i + 1 < symbols.size(); i++) {
              String key = symbols.get(i) + '\u0000' + symbols.get(i + 1);
              pairCounts.merge(key, count, Integer::sum);
              pairs.putIfAbsent(key, new String[] {symbols.get(i), symbols.get(i + 1)});
            }
          });
      // Most frequent pair; ties broken by the pair text so training is deterministic.
      String best =
          pairCounts.entrySet().stream()
              .filter(e -> e.getValue() >= 2)
              .max(
                  Comparator.comparing((Map.Entry<String, Integer> e) -> e.getValue())
                      .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
              .map(Map.Entry::getKey)
              .orElse(null);
      if (best == null) {
        break;
      }
      String[] pair = pairs.get(best);
      merges.add(pair);
      vocab.put(pair[0] + pair[1], vocab.size());
      Map<List<String>, Integer> mergedWords = new HashMap<>();
      words.forEach((symbols, count) -> mergedWords.merge(mergePair(symbols, pair), count, Integer::sum));
      words = mergedWords;
    }
    return new Trained(vocab, merges);
  }

  private static List<String> mergePair(List<String> symbols, String[] pair) {
    List<String> out = new ArrayList<>(symbols.size());
    for (int i = 0; i < symbols.size(); i++) {
      if (i + 1 < symbols.size() && symbols.get(i).equals(pair[0]) && symbols.get(i + 1).equals(pair[1])) {
        out.add(pair[0] + pair[1]);
        i++;
      } else {
        out.add(symbols.get(i));
      }
    }
    return out;
  }

  /** Writes {@code vocab.json} and {@code merges.txt} into {@code dir}. */
  public static TokenizerFiles write(Trained trained, Path dir) throws IOException {
    TokenizerFiles files = new TokenizerFiles("vocab.json", "merges.txt");
    Files.writeString(dir.resolve(files.vocab()), io.dilemma.contract.ContractJson.write(trained.vocab()));
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String[] pair : trained.merges()) {
      merges.append(pair[0]).append(' ').append(pair[1]).append('\n');
    }
    Files.writeString(dir.resolve(files.merges()), merges.toString());
    return files;
  }
}
