package io.dilemma.worker.model.runtime;

/**
 * Where each session's rows sit in one run of a shard's layers over several sessions' chunks: the
 * pasts side by side ({@code [heads × pastRows × headDim]}), then the chunks' rows side by side,
 * both in session order.
 */
final class BatchLayout {
  private final int[] tokens;
  private final int[] pastLength;
  private final int[] pastOffset;
  private final int[] rowOffset;
  private final int pastRows;
  private final int rows;

  BatchLayout(int[] tokens, int[] pastLength) {
    this.tokens = tokens;
    this.pastLength = pastLength;
    this.pastOffset = new int[tokens.length];
    this.rowOffset = new int[tokens.length];
    int past = 0;
    int row = 0;
    for (int b = 0; b < tokens.length; b++) {
      pastOffset[b] = past;
      rowOffset[b] = row;
      past += pastLength[b];
      row += tokens[b];
    }
    this.pastRows = past;
    this.rows = row;
  }

  int sessions() {
    return tokens.length;
  }

  int tokens(int session) {
    return tokens[session];
  }

  int pastLength(int session) {
    return pastLength[session];
  }

  /** First position of the session's past within the batch's past. */
  int pastOffset(int session) {
    return pastOffset[session];
  }

  /** First row of the session's chunk among the batch's rows. */
  int rowOffset(int session) {
    return rowOffset[session];
  }

  /** Positions of all pasts together. */
  int pastRows() {
    return pastRows;
  }

  /** Rows of all chunks together. */
  int rows() {
    return rows;
  }

  /** Keys (and values) each query of the run is scored against: all pasts, then all rows. */
  int total() {
    return pastRows + rows;
  }
}
