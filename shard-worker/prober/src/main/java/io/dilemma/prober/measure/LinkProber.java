package io.dilemma.prober.measure;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Probes one peer: RTT from small echoes on one connection, then bandwidth from a bulk transfer on
 * another that stops at {@code bulkBytes} or {@code bulkDuration}, whichever comes first. The
 * receiver acknowledges what it read, and the sender keeps only what the link drains in a tenth of
 * {@code bulkDuration} in flight, so the socket buffers on the path cannot carry the transfer on
 * past its bound on a slow link.
 *
 * @param echoes how many echoes; their median is the RTT, so one delayed packet does not count
 * @param bulkBytes most bytes one bulk transfer sends
 * @param bulkDuration longest a bulk transfer runs, its last bytes' drain included; on a slow link
 *     this, not the byte count, ends the transfer, which keeps a probe's cost bounded in time too
 *     (a link whose two round trips exceed a tenth of it may overrun it by about those)
 * @param timeout connect and read timeout
 */
public record LinkProber(int echoes, long bulkBytes, Duration bulkDuration, Duration timeout) {
  /** The share of the bound that the bytes in flight may take to drain after the sender stops. */
  private static final double DRAIN_SHARE = 0.1;

  public LinkProber {
    if (echoes < 1) throw new IllegalArgumentException("echoes must be at least 1, was " + echoes);
    if (bulkBytes < 2L * LinkProtocol.CHUNK_BYTES) {
      throw new IllegalArgumentException("bulk bytes must be at least " + 2 * LinkProtocol.CHUNK_BYTES + ", was " + bulkBytes);
    }
  }

  public LinkSample probe(InetSocketAddress peer) throws IOException {
    long started = System.nanoTime();
    double rtt = rtt(peer);
    Bulk bulk = bulk(peer, rtt);
    double seconds = (System.nanoTime() - started) / 1e9;
    double bandwidth = bulk.nanos() > 0 ? bulk.counted() / (bulk.nanos() / 1e9) : Double.NaN;
    long bytes = 2L * echoes * LinkProtocol.ECHO_BYTES + bulk.sent() + bulk.reportBytes();
    return new LinkSample(rtt, bandwidth, bytes, seconds);
  }

  private Socket connect(InetSocketAddress peer) throws IOException {
    Socket socket = new Socket();
    socket.connect(peer, (int) timeout.toMillis());
    socket.setSoTimeout((int) timeout.toMillis());
    socket.setTcpNoDelay(true);
    return socket;
  }

  private double rtt(InetSocketAddress peer) throws IOException {
    try (Socket socket = connect(peer)) {
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(LinkProtocol.ECHO);
      byte[] message = new byte[LinkProtocol.ECHO_BYTES];
      byte[] answer = new byte[LinkProtocol.ECHO_BYTES];
      long[] nanos = new long[echoes];
      for (int i = 0; i < echoes; i++) {
        ThreadLocalRandom.current().nextBytes(message);
        long t = System.nanoTime();
        out.write(message);
        out.flush();
        in.readFully(answer);
        nanos[i] = System.nanoTime() - t;
        if (!Arrays.equals(message, answer)) throw new IOException(peer + " echoed other bytes than it was sent");
      }
      Arrays.sort(nanos);
      return nanos[echoes / 2] / 1e9;
    }
  }

  private record Bulk(long sent, long reportBytes, long counted, long nanos) {}

  /**
   * Sends until {@code bulkBytes}, or until what is in flight can just drain by the end of
   * {@code bulkDuration}: the window holds the bytes in flight to what the link drains in a tenth
   * of it (or two round trips, on a long link), and sending stops that long before the bound.
   */
  private Bulk bulk(InetSocketAddress peer, double rttSeconds) throws IOException {
    try (Socket socket = connect(peer)) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(LinkProtocol.BULK);
      out.writeLong(bulkBytes);
      byte[] chunk = new byte[LinkProtocol.CHUNK_BYTES];
      ThreadLocalRandom.current().nextBytes(chunk);
      long bound = bulkDuration.toNanos();
      long start = System.nanoTime();
      SendWindow window = new SendWindow(Math.round(bound * DRAIN_SHARE), Math.round(rttSeconds * 1e9), start);
      ReceiverReports reports = new ReceiverReports(in, window);
      long stopAt = start + Math.max(bound - window.drainNanos(), bound / 2);
      long sent = 0;
      while (sent < bulkBytes && System.nanoTime() < stopAt && !reports.ended()) {
        reports.takeArrived();
        long room = window.bytes() - (sent - window.acked());
        if (room <= 0) {
          reports.awaitNext();
          continue;
        }
        int n = (int) Math.min(Math.min(chunk.length, bulkBytes - sent), room);
        out.write(chunk, 0, n);
        sent += n;
      }
      out.flush();
      socket.shutdownOutput();
      reports.awaitEnd();
      return new Bulk(sent, reports.bytesRead(), reports.counted(), reports.nanos());
    }
  }
}
