package io.dilemma.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A user who keeps asking through a fault and a replan: a request, a pause to read the answer, the
 * next, on a thread of its own until stopped. The pauses are the probers' windows: a prober backs
 * off while its node's shards serve. Each request's end and duration are kept, failed ones too.
 */
public final class SteadyClient {
  /** One request; an exception is a failed request. */
  public interface Request {
    void send() throws Exception;
  }

  /** A request: when it ended, how long it took, and why it failed (null when it did not). */
  public record Sample(Instant ended, double seconds, String failure) {
    public boolean failed() {
      return failure != null;
    }

    public Instant began() {
      return ended.minusNanos((long) (seconds * 1e9));
    }
  }

  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param pause the reading time between an answer and the next request
   * @param onFailure told of each failed request as it fails
   */
  public SteadyClient(String threadName, Request request, Duration pause, Consumer<Exception> onFailure) {
    thread = new Thread(() -> {
      while (running) {
        long start = System.nanoTime();
        String failure = null;
        try {
          request.send();
        } catch (Exception e) {
          failure = e.toString();
          onFailure.accept(e);
        }
        Sample sample = new Sample(Instant.now(), (System.nanoTime() - start) / 1e9, failure);
        synchronized (samples) {
          samples.add(sample);
        }
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, threadName);
  }

  public void start() {
    thread.start();
  }

  /** Lets the request in flight finish (up to 180 s) and asks no more; again is a no-op. */
  public void stop() throws InterruptedException {
    running = false;
    if (thread.isAlive()) thread.join(180_000);
  }

  /** The requests so far, oldest first. */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }
}
