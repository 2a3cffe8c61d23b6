package io.dilemma.worker.serving.head;

/** Receives each generated token as soon as the chain returns it (for streaming responses). */
@FunctionalInterface
public interface TokenListener {
  void onToken(long tokenId);

  TokenListener NONE = token -> {};
}
