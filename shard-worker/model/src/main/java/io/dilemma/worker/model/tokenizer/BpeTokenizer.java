package io.dilemma.worker.model.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE as shipped with OPT/GPT-2: {@code vocab.json} maps token strings to ids, {@code
 * merges.txt} lists merges by priority. Text is split with GPT-2's pattern, each piece's UTF-8
 * bytes are mapped to printable characters, then the lowest-ranked adjacent pair is merged until
 * no listed pair remains.
 */
public final class BpeTokenizer {
  /** OPT starts every sequence with {@code </s>}. */
  public static final String BEGIN_OF_SEQUENCE = "</s>";

  private static final Pattern PIECES =
      Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private final Map<String, Integer> vocab;
  private final String[] byId;
  private final Map<String, Integer> mergeRanks;
  private final PieceCache cache = new PieceCache(PieceCache.DEFAULT_ENTRIES);

  public BpeTokenizer(Map<String, Integer> vocab, List<String[]> merges) {
    this.vocab = Map.copyOf(vocab);
    int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    this.byId = new String[maxId + 1];
    vocab.forEach((token, id) -> byId[id] = token);
    this.mergeRanks = new HashMap<>();
    for (int rank = 0; rank < merges.size(); rank++) {
      mergeRanks.putIfAbsent(pairKey(merges.get(rank)[0], merges.get(rank)[1]), rank);
    }
  }

  public static BpeTokenizer load(Path vocabFile, Path mergesFile) throws ModelException {
    Map<String, Integer> vocab;
    try {
      vocab = ContractJson.mapper().readValue(Files.readAllBytes(vocabFile), new TypeReference<Map<String, Integer>>() {});
    } catch (IOException e) {
      throw new ModelException(vocabFile + ": not a readable vocab.json (token → id): " + firstLine(e));
    }
    List<String[]> merges = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ModelException(mergesFile + ": cannot read: " + firstLine(e));
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || (i == 0 && line.startsWith("#version"))) {
        continue;
      }
      String[] pair = line.split(" ");
      if (pair.length != 2) {
        throw new ModelException(mergesFile + ": line " + (i + 1) + " is not two tokens separated by one space");
      }
      merges.add(pair);
    }
    return new BpeTokenizer(vocab, merges);
  }

  /** Pieces whose merges are cached now; bounded by {@link PieceCache#DEFAULT_ENTRIES}. */
  int cachedPieces() {
    return cache.size();
  }

  public int vocabularySize() {
    return byId.length;
  }

  public int idOf(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("token '" + token + "' is not in the vocabulary");
    }
    return id;
  }

  /** Token ids of {@code text}, without a begin-of-sequence token. */
  public long[] encode(String text) {
    List<Long> ids = new ArrayList<>();
    Matcher pieces = PIECES.matcher(text);
    while (pieces.find()) {
      String piece = ByteAlphabet.encode(pieces.group().getBytes(StandardCharsets.UTF_8));
      for (String token : cache.get(piece, this::merge)) {
        Integer id = vocab.get(token);
        if (id == null) {
          throw new IllegalArgumentException("text needs token '" + token + "', which the vocabulary lacks");
        }
        ids.add((long) id);
      }
    }
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Text of {@code ids}, with invalid UTF-8 and control characters dropped (see {@link
   * TextAssembler}); ids outside the vocabulary (a synthesised model's spare rows) are skipped.
   */
  public String decode(long[] ids) {
    TextAssembler text = new TextAssembler();
    StringBuilder out = new StringBuilder();
    for (long id : ids) {
      out.append(text.append(bytesOf(id)));
    }
    return out.append(text.finish()).toString();
  }

  /**
   * The raw bytes token {@code id} stands for: none for special tokens ({@code <s>}, {@code </s>},
   * {@code <pad>} …) and ids outside the vocabulary. Feed them to a {@link TextAssembler}.
   */
  public byte[] bytesOf(long id) {
    if (id < 0 || id >= byId.length || byId[(int) id] == null) {
      return new byte[0];
    }
    String token = byId[(int) id];
    if (token.startsWith("<") && token.endsWith(">") && token.length() > 2) {
      return new byte[0];
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(token.length());
    for (char c : token.toCharArray()) {
      int b = ByteAlphabet.toByte(c);
      if (b >= 0) {
        bytes.write(b);
      }
    }
    return bytes.toByteArray();
  }

  /** The id of {@code </s>}, which ends a generation, if the vocabulary has it. */
  public java.util.OptionalLong endOfText() {
    Integer id = vocab.get(BEGIN_OF_SEQUENCE);
    return id == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(id);
  }

  private List<String> merge(String piece) {
    List<String> symbols = new ArrayList<>();
    piece.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
    while (symbols.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      int bestAt = -1;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer rank = mergeRanks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) {
        break;
      }
      String left = symbols.get(bestAt);
      String right = symbols.get(bestAt + 1);
      // Merge every occurrence of the pair left to right, as GPT-2's reference implementation does.
      List<String> merged = new ArrayList<>(symbols.size());
      for (int i = 0; i < symbols.size(); i++) {
        if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
          merged.add(left + right);
          i++;
        } else {
          merged.add(symbols.get(i));
        }
      }
      symbols.clear();
      symbols.addAll(merged);
    }
    return List.copyOf(symbols);
  }

  private static String pairKey(String left, String right) {
    return left + '\u0000' + right;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
