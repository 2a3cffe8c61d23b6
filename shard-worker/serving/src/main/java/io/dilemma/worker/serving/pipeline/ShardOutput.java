package io.dilemma.worker.serving.pipeline;

/**
 * One shard's part of a step: an activation frame for the next shard, or (on the last shard) the
 * sampled token.
 *
 * @param frame the encoded hidden state after this shard's layers; null on the last shard
 * @param token the sampled token; -1 unless this shard has the LM head
 * @param computeNanos embedding, layers, LM head and sampling
 * @param codecNanos choosing, quantizing and packing the outgoing frame
 */
public record ShardOutput(byte[] frame, int token, long computeNanos, long codecNanos) {}
