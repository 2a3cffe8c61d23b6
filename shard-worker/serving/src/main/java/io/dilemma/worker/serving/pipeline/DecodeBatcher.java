package io.dilemma.worker.serving.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Continuous batching of decode steps: steps that arrive while a batch runs form the next batch,
 * so sessions join and leave between batches and one run of the shard's layers streams the
 * weights once for all of them. At most one batch runs at a time.
 *
 * @param <J> a step; it is done when its future is
 */
final class DecodeBatcher<J extends DecodeBatcher.Step> {

  /** A queued step. */
  interface Step {
    CompletableFuture<?> result();
  }

  private final int maxBatch;
  private final Executor drainer;
  private final Consumer<List<J>> runBatch;
  private final ArrayDeque<J> queue = new ArrayDeque<>();
  private boolean running; // guarded by this

  /** {@code runBatch} must complete every step's future, normally or exceptionally. */
  DecodeBatcher(int maxBatch, Executor drainer, Consumer<List<J>> runBatch) {
    this.maxBatch = maxBatch;
    this.drainer = drainer;
    this.runBatch = runBatch;
  }

  /** Queues the step; a batch thread runs it with whatever else is queued. */
  void submit(J step) {
    boolean start;
    synchronized (this) {
      queue.add(step);
      start = !running;
      running = true;
    }
    if (start) {
      drainer.execute(this::drain);
    }
  }

  /** True when no batch runs and none is queued: a step now would run alone. */
  synchronized boolean idle() {
    return !running && queue.isEmpty();
  }

  /**
   * Runs the step on the calling thread when no batch is running (with whatever is queued), else
   * waits until a batch has run it. For callers that wait for the step anyway.
   */
  void runHere(J step) throws InterruptedException {
    List<J> batch;
    synchronized (this) {
      queue.add(step);
      while (running && !step.result().isDone()) {
        wait();
      }
      if (step.result().isDone()) {
        return;
      }
      running = true;
      batch = take();
    }
    while (true) {
      run(batch);
      synchronized (this) {
        if (queue.isEmpty()) {
          running = false;
          notifyAll();
          return;
        }
        if (step.result().isDone()) {
          // the rest is someone else's: hand it to the batch thread and return to our session
          drainer.execute(this::drain);
          return;
        }
        batch = take();
      }
    }
  }

  private void drain() {
    while (true) {
      List<J> batch;
      synchronized (this) {
        batch = take();
        if (batch.isEmpty()) {
          running = false;
          notifyAll();
          return;
        }
      }
      run(batch);
    }
  }

  private void run(List<J> batch) {
    try {
      runBatch.accept(batch);
    } catch (RuntimeException e) {
      for (J step : batch) {
        step.result().completeExceptionally(e);
      }
    }
    synchronized (this) {
      notifyAll();
    }
  }

  private List<J> take() {
    List<J> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    return batch;
  }
}
