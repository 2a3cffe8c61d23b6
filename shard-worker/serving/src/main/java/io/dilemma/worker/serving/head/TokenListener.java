package io.dilemma.worker.serving.head;

/** Receives each generated token as soon as the chain returns it, and says whether to go on. */
@FunctionalInterface
public interface TokenListener {
  /** @return false to end the generation after this token (a stop sequence or end of text) */
  boolean onToken(long tokenId);

  TokenListener NONE = token -> true;
}
