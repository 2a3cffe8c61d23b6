package io.dilemma.prober.measure;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers other probers' echo and bulk probes. A bulk transfer is capped by the limit the client
 * announces and by {@code maxBulkBytes}, and only {@code maxConcurrent} probes run at once, so a
 * misbehaving peer cannot make this node receive without end.
 */
public final class LinkProbeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LinkProbeServer.class);
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private final ServerSocket socket;
  private final long maxBulkBytes;
  private final Semaphore slots;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "link-probe-server");
    t.setDaemon(true);
    return t;
  });

  public LinkProbeServer(InetSocketAddress bind, long maxBulkBytes, int maxConcurrent) throws IOException {
    this.socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(bind);
    this.maxBulkBytes = maxBulkBytes;
    this.slots = new Semaphore(maxConcurrent);
    workers.submit(this::accept);
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        // a client's echo connection may still hold its slot for a moment after it moved on to
        // the bulk transfer, so wait briefly before turning a probe away
        if (!slots.tryAcquire(2, java.util.concurrent.TimeUnit.SECONDS)) {
          client.close();
          continue;
        }
        workers.submit(() -> {
          try (client) {
            serve(client);
          } catch (IOException e) {
            LOG.debug("probe from {} ended: {}", client.getRemoteSocketAddress(), e.getMessage());
          } finally {
            slots.release();
          }
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException e) {
        if (!socket.isClosed()) LOG.warn("accepting a probe failed: {}", e.getMessage());
      }
    }
  }

  private void serve(Socket client) throws IOException {
    client.setSoTimeout(READ_TIMEOUT_MILLIS);
    client.setTcpNoDelay(true);
    DataInputStream in = new DataInputStream(client.getInputStream());
    DataOutputStream out = new DataOutputStream(client.getOutputStream());
    int op = in.read();
    if (op == LinkProtocol.ECHO) {
      byte[] message = new byte[LinkProtocol.ECHO_BYTES];
      while (true) {
        try {
          in.readFully(message);
        } catch (java.io.EOFException e) {
          return;
        }
        out.write(message);
        out.flush();
      }
    } else if (op == LinkProtocol.BULK) {
      long limit = Math.min(in.readLong(), maxBulkBytes);
      receive(in, out, limit);
    }
  }

  /**
   * Reads up to {@code limit} bytes, acknowledging what it read as it goes (the sender sizes its
   * bytes in flight from that), then reports the bytes received after the first read and the
   * nanoseconds they took.
   */
  private static void receive(InputStream in, DataOutputStream out, long limit) throws IOException {
    byte[] buffer = new byte[LinkProtocol.CHUNK_BYTES];
    long total = 0;
    long counted = 0;
    long start = 0;
    long last = 0;
    long acked = 0;
    long ackedAt = System.nanoTime();
    try {
      while (total < limit) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
        if (n < 0) break;
        long now = System.nanoTime();
        if (total == 0) {
          start = now;
        } else {
          counted += n;
        }
        total += n;
        last = now;
        if (total - acked >= LinkProtocol.ACK_EVERY_BYTES || now - ackedAt >= LinkProtocol.ACK_EVERY_NANOS) {
          out.writeLong(total);
          out.flush();
          acked = total;
          ackedAt = now;
        }
      }
    } catch (SocketTimeoutException e) {
      // a stalled sender: report what arrived
    }
    out.writeLong(LinkProtocol.END);
    out.writeLong(counted);
    out.writeLong(Math.max(0, last - start));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    workers.shutdownNow();
  }
}
