package io.dilemma.worker.serving.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeBatcherTest {
  private record Job(int id, CompletableFuture<Integer> result) implements DecodeBatcher.Step {
    Job(int id) {
      this(id, new CompletableFuture<>());
    }
  }

  @Test
  void stepsThatArriveWhileABatchRunsFormTheNextBatch() throws Exception {
    ExecutorService drainer = Executors.newSingleThreadExecutor();
    CountDownLatch firstBatchRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    DecodeBatcher<Job> batcher = new DecodeBatcher<>(8, drainer, batch -> {
      batches.add(batch.stream().map(Job::id).toList());
      firstBatchRunning.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batch.forEach(job -> job.result().complete(job.id() * 10));
    });
    Job first = new Job(0);
    batcher.submit(first);
    assertThat(firstBatchRunning.await(5, TimeUnit.SECONDS)).isTrue();
    List<Job> later = List.of(new Job(1), new Job(2), new Job(3));
    later.forEach(batcher::submit);
    release.countDown();
    for (Job job : later) {
      assertThat(job.result().get(5, TimeUnit.SECONDS)).isEqualTo(job.id() * 10);
    }
    assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
    // The jobs complete inside the batch; the drainer marks itself idle just after it returns.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!batcher.idle() && System.nanoTime() < deadline) Thread.sleep(1);
    assertThat(batcher.idle()).isTrue();
    drainer.shutdownNow();
  }

  @Test
  void aBatchHoldsAtMostTheLimitAndACallerRunsItsOwnStepWhenIdle() throws Exception {
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    DecodeBatcher<Job> batcher = new DecodeBatcher<>(2, Runnable::run, batch -> {
      batches.add(batch.stream().map(Job::id).toList());
      threads.add(Thread.currentThread().getName());
      batch.forEach(job -> job.result().complete(job.id()));
    });
    Job own = new Job(7);
    batcher.runHere(own);
    assertThat(own.result().get()).isEqualTo(7);
    assertThat(threads).containsExactly(Thread.currentThread().getName());
    assertThat(batches).containsExactly(List.of(7));
  }
}
