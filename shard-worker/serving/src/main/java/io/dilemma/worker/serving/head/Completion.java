package io.dilemma.worker.serving.head;

/**
 * A finished completion and where its decode time went.
 *
 * @param tokens generated token ids, without the prompt
 * @param firstTokenNanos from the request to the first token (prefill through the whole chain)
 * @param decodeNanos wall time of the single-token steps after the first token
 * @param decodeComputeNanos model compute of those steps summed over all shards
 * @param decodeCodecNanos frame quantize/pack/unpack of those steps summed over all shards
 */
public record Completion(
    long[] tokens, long firstTokenNanos, long decodeNanos, long decodeComputeNanos, long decodeCodecNanos) {

  public int decodeSteps() {
    return Math.max(0, tokens.length - 1);
  }

  /** What the pipeline adds to a decode step beyond model compute and frame coding: RPC, wire, bookkeeping. */
  public double decodeOverheadMicrosPerStep() {
    return decodeSteps() == 0 ? 0 : (decodeNanos - decodeComputeNanos - decodeCodecNanos) / 1e3 / decodeSteps();
  }

  public double decodeTokensPerSecond() {
    return decodeSteps() == 0 || decodeNanos == 0 ? 0 : decodeSteps() * 1e9 / decodeNanos;
  }
}
