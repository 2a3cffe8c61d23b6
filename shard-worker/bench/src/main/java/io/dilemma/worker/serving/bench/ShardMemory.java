package io.dilemma.worker.serving.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of a shard process seen from outside, at one moment: its resident set, its heap
 * after a full collection (live data, not garbage not yet collected: what grows when something
 * leaks), and the KV bytes it reports on {@code /metrics}.
 *
 * @param residentBytes {@code process_resident_memory_bytes} on the shard's {@code /metrics}: the
 *     process reads its own {@code /proc/self/status}, so no {@code /proc} of another PID namespace
 *     (a CI sandbox's) is consulted
 * @param liveHeapBytes heap used after {@code jcmd GC.run}; empty without a JDK's jcmd
 * @param kvCacheBytes {@code dilemma_kv_cache_bytes}
 * @param sessionsEvicted {@code dilemma_sessions_evicted_total}, all reasons
 */
public record ShardMemory(long residentBytes, OptionalLong liveHeapBytes, long kvCacheBytes, long sessionsEvicted) {
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
  private static final Pattern KV_BYTES = Pattern.compile("(?m)^dilemma_kv_cache_bytes(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
  private static final Pattern RESIDENT = Pattern.compile("(?m)^process_resident_memory_bytes ([0-9.eE+]+)$");
  private static final Pattern EVICTED = Pattern.compile("(?m)^dilemma_sessions_evicted_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Measures process {@code pid}, whose {@code /metrics} is at {@code metrics}; forces a full GC in it. */
  public static ShardMemory of(long pid, URI metrics) throws IOException, InterruptedException {
    String text = scrape(metrics);
    Matcher resident = RESIDENT.matcher(text);
    if (!resident.find()) {
      throw new IOException(metrics + " has no process_resident_memory_bytes");
    }
    return new ShardMemory((long) Double.parseDouble(resident.group(1)), liveHeap(pid), (long) sum(KV_BYTES, text), (long) sum(EVICTED, text));
  }

  /** The KV bytes alone: cheap enough to sample every second under load. */
  public static long kvBytes(URI metrics) throws IOException, InterruptedException {
    return (long) sum(KV_BYTES, scrape(metrics));
  }

  private static String scrape(URI metrics) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum over a metric's series (the counter has one per eviction reason). */
  private static double sum(Pattern metric, String text) {
    double total = 0;
    for (Matcher m = metric.matcher(text); m.find(); ) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  private static OptionalLong liveHeap(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return OptionalLong.empty();
    }
    jcmd(jcmd, pid, "GC.run");
    Matcher m = HEAP_USED.matcher(jcmd(jcmd, pid, "GC.heap_info"));
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1)) * 1024) : OptionalLong.empty();
  }

  private static String jcmd(Path jcmd, long pid, String command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("jcmd " + pid + " " + command + " did not finish in 30 s");
    }
    return out;
  }
}
