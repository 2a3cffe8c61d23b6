package io.dilemma.worker.serving.pipeline;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerStep;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.CutQuota;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.ShardFailure.Kind;
import io.dilemma.worker.serving.session.SessionCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A shard's model work for one step of one session: (embed,) run the shard's layers against the
 * session's KV cache, then either quantize the hidden state for the next cut or, on the last
 * shard, run the LM head and sample.
 */
public final class ShardCompute {
  private final ShardRunner runner;
  private final ShardPlan plan;
  private final CutQuantization cut;
  private final ServingMetrics metrics;
  private final SessionCache<SessionState> sessions;
  private final long kvBudgetBytes;
  private final DecodeBatcher<DecodeJob> batcher;

  public ShardCompute(ShardRunner runner, ShardPlan plan, ServingMetrics metrics) {
    this.runner = runner;
    this.plan = plan;
    this.cut = plan.outgoingCut() == null ? CutQuantization.none() : plan.outgoingCut();
    this.metrics = metrics;
    ShardPlan.ServingLimits limits = plan.limits() == null ? ShardPlan.ServingLimits.defaults() : plan.limits();
    this.kvBudgetBytes = limits.kvCacheBytes();
    this.sessions =
        new SessionCache<>(
            limits.kvCacheBytes(),
            Duration.ofSeconds(limits.sessionTtlSeconds()),
            ACTIVE_WINDOW,
            SessionState::sizeBytes,
            System::nanoTime,
            (session, reason) -> metrics.sessionEvicted(reason));
    metrics.watchKvCache(sessions::totalBytes, limits.kvCacheBytes());
    this.batcher = new DecodeBatcher<>(MAX_DECODE_BATCH, batchThread, this::runBatch);
  }

  /**
   * A session that stepped within this window is still generating: its KV cache is not given to a
   * new session. Far above a decode step's time, even on a loaded machine.
   */
  static final Duration ACTIVE_WINDOW = Duration.ofSeconds(2);

  /** Decode steps of at most this many sessions run together; more wait for the next batch. */
  static final int MAX_DECODE_BATCH = 32;

  /** Runs the decode batches no caller runs itself; batches run one at a time, so one thread is enough per shard. */
  private final java.util.concurrent.ExecutorService batchThread =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "decode-batch");
        thread.setDaemon(true);
        return thread;
      });

  public int shardIndex() {
    return plan.shardIndex();
  }

  public int hiddenSize() {
    return runner.dimensions().hiddenSize();
  }

  public int maxPositions() {
    return runner.dimensions().maxPositions();
  }

  /**
   * The head's step: tokens never leave this method, only the hidden state after its layers. A
   * decode step joins the batch of concurrent sessions' decode steps.
   */
  public ShardOutput headStep(long sessionId, long[] tokenIds, int startPosition, int sessionPositions, Sampling sampling)
      throws ShardFailure {
    long begin = System.nanoTime();
    float[] embedded = runner.embed(tokenIds, startPosition);
    if (tokenIds.length == 1 && startPosition > 0) {
      DecodeJob job = new DecodeJob(sessionId, embedded, startPosition, System.nanoTime() - begin);
      try {
        batcher.runHere(job);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ShardFailure(plan.shardIndex(), Kind.UNAVAILABLE, "shard " + plan.shardIndex() + " was interrupted");
      }
      return job.await();
    }
    return step(sessionId, embedded, tokenIds.length, startPosition, sessionPositions, sampling, System.nanoTime() - begin);
  }

  /**
   * A later shard's decode step (one token after a prefill), batched with the decode steps of
   * other sessions. {@code runHere}: run it on the calling thread if no batch is running, for a
   * caller that would otherwise hand it to another thread and wait.
   */
  public CompletableFuture<ShardOutput> decodeStep(long sessionId, float[] hidden, int startPosition, boolean runHere) {
    DecodeJob job = new DecodeJob(sessionId, hidden, startPosition, 0);
    if (runHere) {
      try {
        batcher.runHere(job);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        job.result.completeExceptionally(new ShardFailure(plan.shardIndex(), Kind.UNAVAILABLE, "interrupted"));
      }
    } else {
      batcher.submit(job);
    }
    return job.result;
  }

  /** True when no decode batch runs or waits: a decode step now would run alone. */
  public boolean decodeIdle() {
    return batcher.idle();
  }

  /** A decode step waiting for its batch. */
  private static final class DecodeJob implements DecodeBatcher.Step {
    final long sessionId;
    final float[] hidden;
    final int startPosition;
    final long embedNanos;
    final CompletableFuture<ShardOutput> result = new CompletableFuture<>();
    SessionState state;

    DecodeJob(long sessionId, float[] hidden, int startPosition, long embedNanos) {
      this.sessionId = sessionId;
      this.hidden = hidden;
      this.startPosition = startPosition;
      this.embedNanos = embedNanos;
    }

    @Override
    public CompletableFuture<?> result() {
      return result;
    }

    ShardOutput await() throws ShardFailure {
      try {
        return result.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof ShardFailure failure) {
          throw failure;
        }
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  /**
   * One batch of decode steps: every session's own KV cache and cut quota, one run of the layers
   * (and of the LM head) for all of them.
   */
  private void runBatch(List<DecodeJob> batch) {
    List<DecodeJob> ready = new ArrayList<>(batch.size());
    for (DecodeJob job : batch) {
      try {
        // a decode step never starts a session, so the sampling parameters are not needed here
        job.state = sessionAt(job.sessionId, 1, 0, job.startPosition, null);
        if (job.startPosition + 1 > runner.dimensions().maxPositions()) {
          throw new ShardFailure(plan.shardIndex(), Kind.REJECTED,
              "step at position " + job.startPosition + " exceeds the model's " + runner.dimensions().maxPositions() + " positions");
        }
        ready.add(job);
      } catch (ShardFailure failure) {
        job.result.completeExceptionally(failure);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    int n = ready.size();
    int d = runner.dimensions().hiddenSize();
    long begin = System.nanoTime();
    float[][] out = new float[n][];
    KvState[] kv = new KvState[n];
    float[][] attention = new float[n][];
    if (plan.layerCount() > 0) {
      float[][] hidden = new float[n][];
      KvState[] past = new KvState[n];
      for (int b = 0; b < n; b++) {
        hidden[b] = ready.get(b).hidden;
        past[b] = ready.get(b).state.kv();
      }
      LayerStep[] steps = runner.runLayersBatch(hidden, past);
      for (int b = 0; b < n; b++) {
        out[b] = steps[b].hidden();
        kv[b] = steps[b].present();
        attention[b] = steps[b].attentionReceived();
      }
    } else {
      for (int b = 0; b < n; b++) {
        out[b] = ready.get(b).hidden;
        kv[b] = ready.get(b).state.kv();
        attention[b] = new float[1];
      }
    }
    metrics.decodeBatch(plan.shardIndex(), n);
    if (plan.lmHead()) {
      float[] rows = new float[n * d];
      for (int b = 0; b < n; b++) {
        System.arraycopy(out[b], 0, rows, b * d, d);
      }
      float[] logits = runner.lmHead(rows, n);
      int vocab = logits.length / n;
      long compute = System.nanoTime() - begin;
      for (int b = 0; b < n; b++) {
        DecodeJob job = ready.get(b);
        int token = job.state.sampler().sample(java.util.Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab));
        sessions.put(job.sessionId, new SessionState(kv[b], job.state.quota(), job.state.sampler()));
        metrics.shardCompute(plan.shardIndex(), (job.embedNanos + compute) / 1e9);
        job.result.complete(new ShardOutput(null, token, job.embedNanos + compute, 0));
      }
      return;
    }
    long computed = System.nanoTime();
    for (int b = 0; b < n; b++) {
      DecodeJob job = ready.get(b);
      long encodeBegin = System.nanoTime();
      boolean[] high = chooseHighPrecision(job.state.quota(), attention[b]);
      byte[] frame = ActivationFrameCodec.encode(out[b], d, high, cut);
      long encoded = System.nanoTime();
      sessions.put(job.sessionId, new SessionState(kv[b], job.state.quota().after(1, count(high)), job.state.sampler()));
      long compute = job.embedNanos + computed - begin;
      metrics.shardCompute(plan.shardIndex(), compute / 1e9);
      job.result.complete(new ShardOutput(frame, -1, compute, encoded - encodeBegin));
    }
  }


  /** A later shard's step on the hidden state received from the previous shard. */
  public ShardOutput layerStep(long sessionId, float[] hidden, int tokens, int startPosition, int sessionPositions, Sampling sampling)
      throws ShardFailure {
    return step(sessionId, hidden, tokens, startPosition, sessionPositions, sampling, 0);
  }

  public void endSession(long sessionId) {
    sessions.remove(sessionId);
  }

  /** Run periodically: returns the memory of sessions idle past their TTL. */
  public void evictIdleSessions() {
    sessions.evictExpired();
  }

  public long kvCacheBytes() {
    return sessions.totalBytes();
  }

  /** The KV budget of the plan: bounds the cached sessions and, separately, the steps in flight. */
  public long kvBudgetBytes() {
    return kvBudgetBytes;
  }

  /**
   * Memory a step of {@code tokens} tokens starting at {@code startPosition} holds while it runs:
   * the incoming and outgoing hidden states and frame, and room for the session's KV cache (the
   * runner appends in place, but a step that outgrows the cache's capacity, or retries from an
   * older snapshot, copies it into a new one while the old one stays cached until the step
   * completes). Positions are clamped to the model's context, since a step beyond it is refused
   * anyway.
   */
  public long stepWorkingBytes(int tokens, long startPosition) {
    long d = runner.dimensions().hiddenSize();
    long maxPositions = runner.dimensions().maxPositions();
    long chunk = Math.max(1, Math.min(tokens, maxPositions));
    long positions = Math.min(maxPositions, Math.max(0, startPosition) + chunk);
    long activations = 3 * chunk * d * Float.BYTES;
    long kv = positions * plan.layerCount() * 2 * d * Float.BYTES;
    return activations + kv;
  }

  private ShardOutput step(
      long sessionId, float[] hidden, int tokens, int startPosition, int sessionPositions, Sampling sampling, long embedNanos)
      throws ShardFailure {
    SessionState state = sessionAt(sessionId, tokens, sessionPositions, startPosition, sampling);
    long begin = System.nanoTime();
    float[] out = hidden;
    KvState kv = state.kv();
    float[] attention = new float[tokens];
    if (plan.layerCount() > 0) {
      LayerStep layers = runner.runLayers(hidden, tokens, state.kv());
      out = layers.hidden();
      kv = layers.present();
      attention = layers.attentionReceived();
    }
    if (plan.lmHead()) {
      float[] logits = runner.lmHeadLastToken(out, tokens);
      int token = state.sampler().sample(logits);
      long compute = embedNanos + System.nanoTime() - begin;
      sessions.put(sessionId, new SessionState(kv, state.quota(), state.sampler()));
      metrics.shardCompute(plan.shardIndex(), compute / 1e9);
      return new ShardOutput(null, token, compute, 0);
    }
    long computed = System.nanoTime();
    boolean[] high = chooseHighPrecision(state.quota(), attention);
    byte[] frame = ActivationFrameCodec.encode(out, runner.dimensions().hiddenSize(), high, cut);
    long encoded = System.nanoTime();
    CutQuota quota = state.quota().after(tokens, count(high));
    sessions.put(sessionId, new SessionState(kv, quota, state.sampler()));
    long compute = embedNanos + computed - begin;
    metrics.shardCompute(plan.shardIndex(), compute / 1e9);
    return new ShardOutput(frame, -1, compute, encoded - computed);
  }

  /**
   * A new session starts only if its KV cache at its last position ({@code sessionPositions}: the
   * prompt and the tokens to generate; the prompt alone when 0) fits next to what the sessions
   * still generating were admitted for; otherwise it is refused as overload (the head answers 503
   * with Retry-After) rather than evicting one of them.
   */
  private int admit(long sessionId, int tokens, int sessionPositions) throws ShardFailure {
    int positions = Math.min(Math.max(tokens, sessionPositions), runner.dimensions().maxPositions());
    long bytes = kvBytes(positions);
    if (!sessions.admit(sessionId, bytes)) {
      metrics.sessionRefused();
      throw new ShardFailure(
          plan.shardIndex(),
          Kind.OVERLOADED,
          "shard " + plan.shardIndex() + " has no KV cache left for a new session: " + sessions.size()
              + " sessions hold " + sessions.totalBytes() + " of " + kvBudgetBytes + " bytes, this one needs " + bytes
              + " (RESOURCE_EXHAUSTED; retry later)");
    }
    return positions;
  }

  /** The KV cache bytes of {@code positions} positions on this shard's layers. */
  private long kvBytes(long positions) {
    return positions * plan.layerCount() * 2L * runner.dimensions().hiddenSize() * Float.BYTES;
  }

  private SessionState sessionAt(long sessionId, int tokens, int sessionPositions, int startPosition, Sampling sampling) throws ShardFailure {
    if (startPosition == 0) {
      int positions = admit(sessionId, tokens, sessionPositions);
      TokenSampler sampler = plan.lmHead() ? new TokenSampler(sampling.temperature(), sampling.seed()) : null;
      return SessionState.start(sampler, positions);
    }
    SessionState state = sessions.get(sessionId);
    if (state == null) {
      throw new ShardFailure(
          plan.shardIndex(),
          Kind.SESSION_LOST,
          "shard " + plan.shardIndex() + " no longer holds session " + Long.toHexString(sessionId)
              + " (evicted or restarted)");
    }
    if (state.kv().length() != startPosition) {
      throw new ShardFailure(
          plan.shardIndex(),
          Kind.REJECTED,
          "step starts at position " + startPosition + " but shard " + plan.shardIndex() + " has "
              + state.kv().length() + " positions cached for session " + Long.toHexString(sessionId));
    }
    return state;
  }

  private boolean[] chooseHighPrecision(CutQuota quota, float[] attention) {
    if (cut.highBits() == ActivationFrameCodec.UNQUANTIZED_BITS) {
      boolean[] all = new boolean[attention.length];
      Arrays.fill(all, true);
      return all;
    }
    return quota.choose(attention, cut.rho());
  }

  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }
}
