package io.dilemma.worker.model.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Merge results of recently seen pieces, bounded in entries and in piece length: clients choose
 * the text, so an unbounded cache is memory anyone can fill. Long pieces are rare in real text and
 * are merged every time.
 */
final class PieceCache {
  static final int DEFAULT_ENTRIES = 16_384;
  static final int MAX_CACHED_PIECE_CHARS = 32;
  private final Map<String, List<String>> entries;

  PieceCache(int maxEntries) {
    this.entries =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > maxEntries;
          }
        };
  }

  List<String> get(String piece, Function<String, List<String>> merge) {
    if (piece.length() > MAX_CACHED_PIECE_CHARS) {
      return merge.apply(piece);
    }
    synchronized (entries) {
      List<String> cached = entries.get(piece);
      if (cached != null) {
        return cached;
      }
    }
    List<String> merged = merge.apply(piece);
    synchronized (entries) {
      entries.put(piece, merged);
    }
    return merged;
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
