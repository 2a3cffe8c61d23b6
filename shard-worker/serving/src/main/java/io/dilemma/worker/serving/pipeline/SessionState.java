package io.dilemma.worker.serving.pipeline;

import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.serving.frame.CutQuota;
import io.dilemma.worker.model.sampling.TokenSampler;

/**
 * What a shard remembers about one session between steps.
 *
 * @param kv the KV cache of this shard's layers
 * @param quota high-precision tokens sent so far through this shard's outgoing cut
 * @param sampler the last shard's (seeded) sampler, null on other shards
 */
record SessionState(KvState kv, CutQuota quota, TokenSampler sampler) {

  /** A new session admitted for {@code positions} positions: its KV cache reserves no more than that. */
  static SessionState start(TokenSampler sampler, int positions) {
    return new SessionState(KvState.empty(positions), CutQuota.start(), sampler);
  }

  long sizeBytes() {
    return kv.sizeBytes();
  }
}
