package io.dilemma.worker.model.runtime;

/**
 * A model being decoded token by token, holding its own KV cache: feed a chunk, get the logits of
 * its last token.
 */
public interface Decoder extends AutoCloseable {
  /** Appends {@code tokenIds} to the sequence; returns the logits {@code [vocabSize]} after the last one. */
  float[] feed(long[] tokenIds);

  /** Tokens fed so far. */
  int position();

  @Override
  default void close() {}
}
