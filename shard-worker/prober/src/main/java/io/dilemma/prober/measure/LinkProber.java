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
 * another that stops at {@code bulkBytes} or {@code bulkDuration}, whichever comes first.
 *
 * @param echoes how many echoes; their median is the RTT, so one delayed packet does not count
 * @param bulkBytes most bytes one bulk transfer sends
 * @param bulkDuration longest a bulk transfer sends; on a slow link this, not the byte count, ends
 *     the transfer, which keeps a probe's cost bounded in time too
 * @param timeout connect and read timeout
 */
public record LinkProber(int echoes, long bulkBytes, Duration bulkDuration, Duration timeout) {

  public LinkProber {
    if (echoes < 1) throw new IllegalArgumentException("echoes must be at least 1, was " + echoes);
    if (bulkBytes < 2L * LinkProtocol.CHUNK_BYTES) {
      throw new IllegalArgumentException("bulk bytes must be at least " + 2 * LinkProtocol.CHUNK_BYTES + ", was " + bulkBytes);
    }
  }

  public LinkSample probe(InetSocketAddress peer) throws IOException {
    long started = System.nanoTime();
    double rtt = rtt(peer);
    long[] bulk = bulk(peer);
    double seconds = (System.nanoTime() - started) / 1e9;
    double bandwidth = bulk[2] > 0 ? bulk[1] / (bulk[2] / 1e9) : Double.NaN;
    long bytes = 2L * echoes * LinkProtocol.ECHO_BYTES + bulk[0];
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

  /** Returns bytes sent, bytes the receiver counted, and the receiver's nanoseconds. */
  private long[] bulk(InetSocketAddress peer) throws IOException {
    try (Socket socket = connect(peer)) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(LinkProtocol.BULK);
      out.writeLong(bulkBytes);
      byte[] chunk = new byte[LinkProtocol.CHUNK_BYTES];
      ThreadLocalRandom.current().nextBytes(chunk);
      long deadline = System.nanoTime() + bulkDuration.toNanos();
      long sent = 0;
      while (sent < bulkBytes && System.nanoTime() < deadline) {
        int n = (int) Math.min(chunk.length, bulkBytes - sent);
        out.write(chunk, 0, n);
        sent += n;
      }
      out.flush();
      socket.shutdownOutput();
      long counted = in.readLong();
      long nanos = in.readLong();
      return new long[] {sent, counted, nanos};
    }
  }
}
