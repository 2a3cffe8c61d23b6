package io.dilemma.worker.model.runtime;

/**
 * Result of running a shard's layers over a chunk.
 *
 * @param hidden {@code [tokens × hiddenSize]} after the last selected layer
 * @param present the KV cache including this chunk
 * @param attentionReceived per token of this chunk, the attention probability it received in the
 *     last selected layer, summed over heads and query positions of the chunk (what the cut
 *     quantizer ranks tokens by)
 */
public record LayerStep(float[] hidden, KvState present, float[] attentionReceived) {}
