package io.dilemma.prober.measure;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streaming-read memory bandwidth: every core sums its own slice of an array far larger than the
 * caches, as a decode step streams the weights. Best of {@code passes}.
 *
 * @param bytes array size; 256 MiB is well past the last-level cache of any edge board
 * @param passes timed passes after one warm-up
 * @param threads readers, normally the core count like the shard runtime's intra-op pool
 */
public record MemoryBandwidthBenchmark(long bytes, int passes, int threads) {

  public MemoryBandwidthBenchmark {
    if (bytes < 8L * threads || bytes / 8 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("bytes must be between " + 8L * threads + " and 16 GiB, was " + bytes);
    }
  }

  /** Bytes per second. */
  public double bytesPerSecond() throws InterruptedException {
    long[] data = new long[(int) (bytes / 8)];
    for (int i = 0; i < data.length; i++) data[i] = i;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      pass(pool, data);
      long best = Long.MAX_VALUE;
      for (int p = 0; p < passes; p++) {
        long t = System.nanoTime();
        pass(pool, data);
        best = Math.min(best, System.nanoTime() - t);
      }
      return data.length * 8.0 / (best / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The sums are returned and checked so the JIT cannot drop the reads. */
  private void pass(ExecutorService pool, long[] data) throws InterruptedException {
    int slice = data.length / threads;
    @SuppressWarnings("unchecked")
    Future<Long>[] parts = new Future[threads];
    for (int t = 0; t < threads; t++) {
      int from = t * slice;
      int to = t == threads - 1 ? data.length : from + slice;
      parts[t] = pool.submit(() -> {
        long sum = 0;
        for (int i = from; i < to; i++) sum += data[i];
        return sum;
      });
    }
    long total = 0;
    try {
      for (Future<Long> part : parts) total += part.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    long n = data.length;
    if (total != n * (n - 1) / 2) throw new IllegalStateException("memory benchmark read wrong sums");
  }
}
