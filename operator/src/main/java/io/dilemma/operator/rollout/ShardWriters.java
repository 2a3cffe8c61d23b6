package io.dilemma.operator.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the writes of a plan's shards side by side. Each shard's own objects still go in order
 * (its ConfigMap before its Deployment), but the shards do not wait for each other: a 3-shard
 * replan wrote 12 objects one round trip after another, most of the time between the solve and
 * the new Deployments on a loaded API server.
 */
final class ShardWriters {
  /** Shared by every reconcile thread; the writes wait on the API server, not on these cores. */
  private static final ExecutorService WRITERS =
      Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "shard-writer");
        t.setDaemon(true);
        return t;
      });

  private ShardWriters() {}

  /**
   * Runs every task (a lone one in the caller's thread) and returns when all have ended; the
   * first failure is rethrown as it was thrown (a refused write stays a KubernetesClientException).
   */
  static void inParallel(List<Runnable> tasks) {
    if (tasks.size() <= 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    List<Future<?>> running = new ArrayList<>();
    for (Runnable task : tasks) running.add(WRITERS.submit(task));
    RuntimeException failure = null;
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.forEach(f -> f.cancel(true));
        throw new IllegalStateException("interrupted while writing a plan's shards", e);
      }
    }
    if (failure != null) throw failure;
  }
}
