package io.dilemma.worker.serving.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a shard's {@code GET /healthz} every {@code period} while load runs, as the kubelet's
 * liveness probe would: an answer other than 200 within the probe's timeout is what would restart
 * the pod.
 */
public final class HealthWatch implements AutoCloseable {
  /** What the probes saw; {@code firstFailure} is null when none failed. */
  public record Summary(long probes, long failed, double maxMillis, String firstFailure) {}

  private final URI healthz;
  private final Duration period;
  private final Duration timeout;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread thread;
  private long probes;
  private long failed;
  private long maxNanos;
  private String firstFailure;
  private volatile boolean stopped;

  public HealthWatch(URI healthz, Duration period, Duration timeout) {
    this.healthz = healthz;
    this.period = period;
    this.timeout = timeout;
    this.thread = new Thread(this::probeUntilClosed, "health-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void probeUntilClosed() {
    HttpRequest request = HttpRequest.newBuilder(healthz).timeout(timeout).GET().build();
    while (!stopped) {
      long start = System.nanoTime();
      String failure = null;
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200) {
          failure = "HTTP " + status;
        }
      } catch (java.io.IOException e) {
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        return;
      }
      record(System.nanoTime() - start, failure);
      try {
        Thread.sleep(period.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void record(long nanos, String failure) {
    probes++;
    maxNanos = Math.max(maxNanos, nanos);
    if (failure != null) {
      failed++;
      if (firstFailure == null) {
        firstFailure = failure;
      }
    }
  }

  public synchronized Summary summary() {
    return new Summary(probes, failed, maxNanos / 1e6, firstFailure);
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.interrupt();
    thread.join(timeout.toMillis() + 1000);
  }
}
