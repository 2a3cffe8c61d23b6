package io.dilemma.worker.serving.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;

/**
 * The requests between the arrival of their headers and the end of their response. A stopping pod
 * waits for them, so a completion that started on the old head ends with its answer rather than a
 * reset connection.
 */
final class InFlightRequests {
  private final Object lock = new Object();
  private int count;

  /** Counts the request until {@code callback} completes, whichever way it does. */
  Callback track(Callback callback) {
    synchronized (lock) {
      count++;
    }
    AtomicBoolean done = new AtomicBoolean();
    return new Callback() {
      @Override
      public void succeeded() {
        try {
          callback.succeeded();
        } finally {
          finished(done);
        }
      }

      @Override
      public void failed(Throwable failure) {
        try {
          callback.failed(failure);
        } finally {
          finished(done);
        }
      }

      @Override
      public InvocationType getInvocationType() {
        return callback.getInvocationType();
      }
    };
  }

  private void finished(AtomicBoolean done) {
    if (!done.compareAndSet(false, true)) return;
    synchronized (lock) {
      count--;
      lock.notifyAll();
    }
  }

  int count() {
    synchronized (lock) {
      return count;
    }
  }

  /** True when none is in flight before {@code bound} passes. */
  boolean awaitNone(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    synchronized (lock) {
      while (count > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
