package io.dilemma.prober.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real prober processes given each other with {@code --peers}, no API server and no kubeconfig
 * anywhere: each probes the other, logs the link it would have written as an EdgeLink, and serves
 * it on /metrics. n1 reaches n2 through a 40 Mbit/s relay, so the figure is a link's, not loopback's.
 */
class PeersWithoutApiServerIT {
  private static final Path PROBER_JAR = Path.of("..", "target", "dilemma-prober.jar").toAbsolutePath().normalize();
  private static final double SHAPED_BITS = 40e6;
  private static final Pattern LINK_N1_N2 = Pattern.compile("link n1 -> n2: ([0-9.]+) Mbit/s");

  private final List<Process> processes = new ArrayList<>();
  private ShapedRelay relay;

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) p.destroyForcibly().waitFor();
    if (relay != null) relay.close();
  }

  @Test
  void probersGivenEachOtherOnTheCommandLineMeasureTheLinkAndPublishItOnTheirMetrics(@TempDir Path dir) throws Exception {
    assertThat(PROBER_JAR).as("the prober jar (package shard-worker/prober first)").exists();
    int port = freePort();
    relay = new ShapedRelay(new java.net.InetSocketAddress("127.0.0.2", port), new java.net.InetSocketAddress("127.0.0.3", port), SHAPED_BITS, 0);
    // every prober gets the same list; each skips its own entry
    String peers = "n1=127.0.0.1:" + port + ",n2=127.0.0.2:" + port;
    int n1Metrics = freePort();
    Path n1Log = dir.resolve("n1.log");
    prober("n1", "127.0.0.1", port, peers, n1Metrics, n1Log);
    prober("n2", "127.0.0.3", port, peers, freePort(), dir.resolve("n2.log"));

    long deadline = System.nanoTime() + 120_000_000_000L;
    Matcher link;
    while (!(link = LINK_N1_N2.matcher(Files.readString(n1Log, StandardCharsets.UTF_8))).find()) {
      for (Process p : processes) {
        if (!p.isAlive()) throw new AssertionError("a prober exited (" + p.exitValue() + "); n1's log:\n" + Files.readString(n1Log));
      }
      if (System.nanoTime() > deadline) throw new AssertionError("no link n1 -> n2 logged; n1's log:\n" + Files.readString(n1Log));
      Thread.sleep(100);
    }
    String log = Files.readString(n1Log, StandardCharsets.UTF_8);
    assertThat(log).contains("peers from --peers, figures to the log and /metrics only").doesNotContain("probed n1 ");
    assertThat(Double.parseDouble(link.group(1)) / (SHAPED_BITS / 1e6)).as("logged / shaped rate").isBetween(0.85, 1.15);

    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n1Metrics + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher series = Pattern.compile("dilemma_link_bandwidth_bytes_per_second\\{from=\"n1\",to=\"n2\"} ([0-9.eE+]+)").matcher(metrics);
    assertThat(series.find()).as("n1's bandwidth series to n2 in:\n" + metrics).isTrue();
    assertThat(Double.parseDouble(series.group(1)) * 8 / SHAPED_BITS).as("metric / shaped rate").isBetween(0.85, 1.15);
    assertThat(metrics).contains("dilemma_link_rtt_seconds{from=\"n1\",to=\"n2\"}");
  }

  private void prober(String node, String listen, int port, String peers, int metricsPort, Path log) throws IOException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", PROBER_JAR.toString(),
        "probe", "--node", node, "--peers", peers, "--port", Integer.toString(port), "--listen-address", listen,
        "--metrics-port", Integer.toString(metricsPort), "--probe-interval", "PT2S");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // no cluster to find: a prober that still looked for one would fail to list its peers
    builder.environment().remove("KUBECONFIG");
    builder.environment().remove("POD_NAMESPACE");
    processes.add(builder.start());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
