package io.dilemma.worker.model.runtime;

/**
 * Where each session sits in one decode step of several sessions through a graph with a batch
 * dimension: session {@code s} is batch entry {@code s}, one token after its own past, every past
 * padded to the longest ({@code [sessions × heads × longest × headDim]}), the padding masked.
 * Attention then costs each token its padded past, where laying the pasts side by side in one
 * sequence ({@link BatchLayout}) costs it every session's past.
 */
final class PaddedDecodeBatch {
  private final int[] pastLength;
  private final int longest;

  PaddedDecodeBatch(int[] pastLength) {
    this.pastLength = pastLength;
    int max = 0;
    for (int length : pastLength) {
      max = Math.max(max, length);
    }
    this.longest = max;
  }

  int sessions() {
    return pastLength.length;
  }

  int pastLength(int session) {
    return pastLength[session];
  }

  /** Past positions of every batch entry, the padding included. */
  int longest() {
    return longest;
  }

  /** Keys (and values) each session's token is scored against: its padded past, then itself. */
  int total() {
    return longest + 1;
  }

  /** First float of the session's past in the batch's past. */
  int pastSlot(int session, int heads, int headDim) {
    return session * heads * longest * headDim;
  }

  /** First float of the session's new row in the batch's new keys (values) {@code [sessions × heads × 1 × headDim]}. */
  int newRowSlot(int session, int heads, int headDim) {
    return session * heads * headDim;
  }

  /** Index, in the batch's attention received {@code [sessions × total]}, of what the session's own token received. */
  int ownTokenColumn(int session) {
    return session * total() + longest;
  }
}
