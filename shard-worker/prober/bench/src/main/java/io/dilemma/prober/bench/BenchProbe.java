package io.dilemma.prober.bench;

import io.dilemma.prober.measure.LinkProbeServer;
import io.dilemma.prober.measure.LinkProber;
import io.dilemma.prober.measure.LinkSample;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `bench probe`: one probe round, one peer at a time as the prober does it, against N loopback
 * peers each behind a relay shaped to a known rate and delay. Prints bytes, seconds and the
 * accuracy against the shaped figures. Arguments: peers, then optionally bulk bytes and bulk
 * seconds; the shaped rates cycle through 200, 50 and 10 Mbit/s, the one-way delays through 1, 5
 * and 10 ms.
 */
public final class BenchProbe {
  private static final double[] RATES_MBIT = {200, 50, 10};
  private static final double[] DELAYS_MS = {1, 5, 10};

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: bench probe PEERS [BULK_BYTES [BULK_SECONDS]]");
      System.exit(2);
    }
    int peers = Integer.parseInt(args[0]);
    long bulkBytes = args.length > 1 ? Long.parseLong(args[1]) : 8L << 20;
    double bulkSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
    LinkProber prober = new LinkProber(20, bulkBytes, Duration.ofMillis(Math.round(bulkSeconds * 1000)), Duration.ofSeconds(30));
    List<AutoCloseable> open = new ArrayList<>();
    try {
      System.out.println("| peer | shaped Mbit/s | measured Mbit/s | error | shaped RTT ms | measured RTT ms | error ms | bytes | seconds |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      long totalBytes = 0;
      double worstBw = 0;
      double worstRtt = 0;
      long start = System.nanoTime();
      for (int i = 0; i < peers; i++) {
        LinkProbeServer server = new LinkProbeServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bulkBytes * 2, 2);
        open.add(server);
        double rate = RATES_MBIT[i % RATES_MBIT.length];
        double delay = DELAYS_MS[i % DELAYS_MS.length];
        ShapedRelay relay = new ShapedRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), rate * 1e6, delay / 1000);
        open.add(relay);
        LinkSample s = prober.probe(relay.address());
        double mbit = s.bandwidthBytesPerSecond() * 8 / 1e6;
        double rttMs = s.rttSeconds() * 1000;
        double bwError = mbit / rate - 1;
        double rttError = rttMs - 2 * delay;
        worstBw = Math.max(worstBw, Math.abs(bwError));
        worstRtt = Math.max(worstRtt, Math.abs(rttError));
        totalBytes += s.bytesSent();
        System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %+.1f%% | %.0f | %.2f | %+.2f | %d | %.2f |%n",
            i, rate, mbit, bwError * 100, 2 * delay, rttMs, rttError, s.bytesSent(), s.seconds());
      }
      System.out.printf(Locale.ROOT, "round: %d peers, %d bytes, %.1f s, worst bandwidth error %.1f%%, worst RTT error %.2f ms%n",
          peers, totalBytes, (System.nanoTime() - start) / 1e9, worstBw * 100, worstRtt);
    } finally {
      for (AutoCloseable c : open) c.close();
    }
  }

  private BenchProbe() {}
}
