package io.dilemma.worker.serving.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on a head's {@code POST /v1/completions}: each session sends a completion, waits
 * for its answer, and sends the next, until the phase's time or request budget runs out. A session
 * told 503 waits the {@code Retry-After} it was given, as a well-behaved client does. Every request
 * has a timeout, so a hung head shows as failures rather than a hung benchmark.
 */
public final class HeadLoad {
  /**
   * @param sessions concurrent client sessions
   * @param duration how long sessions keep sending
   * @param maxRequests at most this many requests in the phase, whatever the time
   * @param promptTokens random token ids per prompt
   * @param maxTokens tokens generated per completion
   * @param vocabSize prompt ids are drawn from 4..vocabSize-1
   * @param requestTimeout a request not answered by then counts as failed
   */
  public record Settings(
      int sessions, Duration duration, long maxRequests, int promptTokens, int maxTokens, int vocabSize, Duration requestTimeout) {}

  /**
   * What one phase saw. Latencies are of the answered completions (200).
   *
   * @param shed 503 answers that carried {@code Retry-After}
   * @param shedCodes how many of them gave each error {@code code} ({@code overloaded}: the head's
   *     queue was full; {@code shard_session_lost}: a shard evicted the session's KV cache; …)
   * @param failed everything else: other statuses (including a 503 without Retry-After), timeouts,
   *     connection errors
   * @param failures the first few failures, one line each
   */
  public record Phase(
      Settings settings,
      long ok,
      long shed,
      java.util.Map<String, Long> shedCodes,
      long failed,
      List<String> failures,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      double seconds,
      long tokens) {
    public long requests() {
      return ok + shed + failed;
    }

    public double completionsPerSecond() {
      return ok / seconds;
    }

    public double tokensPerSecond() {
      return tokens / seconds;
    }
  }

  private static final int FAILURES_KEPT = 5;

  private final URI completions;
  private final HttpClient http;

  public HeadLoad(URI completions) {
    this.completions = completions;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Runs one phase and waits for every session to finish its last request. */
  public Phase run(Settings settings) throws InterruptedException {
    Tally tally = new Tally();
    AtomicLong budget = new AtomicLong(settings.maxRequests());
    long start = System.nanoTime();
    long end = start + settings.duration().toNanos();
    ExecutorService sessions = Executors.newFixedThreadPool(settings.sessions(), daemon());
    for (int s = 0; s < settings.sessions(); s++) {
      long seed = s;
      sessions.execute(() -> session(settings, seed, end, budget, tally));
    }
    sessions.shutdown();
    long grace = settings.requestTimeout().toNanos() + settings.duration().toNanos() + TimeUnit.SECONDS.toNanos(30);
    if (!sessions.awaitTermination(grace, TimeUnit.NANOSECONDS)) {
      sessions.shutdownNow();
      tally.fail("sessions still running " + TimeUnit.NANOSECONDS.toSeconds(grace) + " s after the phase began");
    }
    return tally.phase(settings, (System.nanoTime() - start) / 1e9);
  }

  private void session(Settings settings, long seed, long end, AtomicLong budget, Tally tally) {
    SplittableRandom random = new SplittableRandom(seed);
    while (System.nanoTime() < end && budget.getAndDecrement() > 0) {
      long[] prompt = random.longs(settings.promptTokens(), 4, settings.vocabSize()).toArray();
      String body =
          "{\"prompt\":" + Arrays.toString(prompt).replace(" ", "") + ",\"max_tokens\":" + settings.maxTokens()
              + ",\"temperature\":0}";
      HttpRequest request =
          HttpRequest.newBuilder(completions).timeout(settings.requestTimeout())
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long sent = System.nanoTime();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - sent;
        var retryAfter = response.headers().firstValue("Retry-After");
        if (response.statusCode() == 200) {
          tally.ok(nanos, settings.maxTokens());
        } else if (response.statusCode() == 503 && retryAfter.isPresent()) {
          tally.shed(errorCode(response.body()));
          Thread.sleep(Math.min(TimeUnit.SECONDS.toMillis(parseSeconds(retryAfter.get())),
              Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        } else {
          tally.fail("HTTP " + response.statusCode() + ": " + oneLine(response.body()));
        }
      } catch (HttpTimeoutException e) {
        tally.fail("no answer within " + settings.requestTimeout().toMillis() + " ms");
      } catch (IOException e) {
        tally.fail(e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("\"code\"\\s*:\\s*\"([a-z_]+)\"");

  /** The {@code error.code} of an OpenAI error object, without parsing JSON on the hot path. */
  private static String errorCode(String body) {
    java.util.regex.Matcher m = CODE.matcher(body);
    return m.find() ? m.group(1) : "no code";
  }

  private static long parseSeconds(String retryAfter) {
    try {
      return Math.max(0, Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String oneLine(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "load-session");
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The outcomes of one phase's requests, from all sessions. */
  private static final class Tally {
    private final List<Long> latencies = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final java.util.Map<String, Long> shedCodes = new java.util.TreeMap<>();
    private long shed;
    private long failed;
    private long tokens;

    synchronized void ok(long nanos, int generated) {
      latencies.add(nanos);
      tokens += generated;
    }

    synchronized void shed(String code) {
      shed++;
      shedCodes.merge(code, 1L, Long::sum);
    }

    synchronized void fail(String why) {
      failed++;
      if (failures.size() < FAILURES_KEPT) {
        failures.add(why);
      }
    }

    synchronized Phase phase(Settings settings, double seconds) {
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Phase(
          settings, sorted.length, shed, java.util.Map.copyOf(shedCodes), failed, List.copyOf(failures),
          percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
          seconds, tokens);
    }

    private static double percentile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
  }
}
