package io.dilemma.prober.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A test-harness link: a TCP relay on loopback that forwards to a target at a fixed rate and with a
 * fixed one-way delay per direction, the way the issue says latency must be emulated on a kernel
 * without netem. Bytes are stamped when read and released {@code delay} later, paced to
 * {@code bitsPerSecond}. The rate may be changed while it runs ({@link #rate}), the way a link is
 * re-shaped. Never part of a production path.
 */
final class ShapedRelay implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;

  private final ServerSocket socket;
  private final InetSocketAddress target;
  private volatile double bytesPerNano;
  private final long delayNanos;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "shaped-relay");
    t.setDaemon(true);
    return t;
  });

  ShapedRelay(InetSocketAddress target, double bitsPerSecond, double oneWayDelaySeconds) throws IOException {
    this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, bitsPerSecond, oneWayDelaySeconds);
  }

  /** A relay that listens on {@code bind}, e.g. another loopback address standing for a peer's pod IP. */
  ShapedRelay(InetSocketAddress bind, InetSocketAddress target, double bitsPerSecond, double oneWayDelaySeconds) throws IOException {
    this.target = target;
    rate(bitsPerSecond);
    this.delayNanos = Math.round(oneWayDelaySeconds * 1e9);
    this.socket = new ServerSocket(bind.getPort(), 50, bind.getAddress());
    threads.submit(this::accept);
  }

  /** Re-shapes the link: bytes read from now on leave at this rate. */
  void rate(double bitsPerSecond) {
    this.bytesPerNano = bitsPerSecond / 8 / 1e9;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private record Stamped(byte[] data, int length, long at) {}

  private void pipe(Socket from, Socket to) {
    // bounded like a router's buffer, so TCP back-pressure reaches the sender as on a real link
    LinkedBlockingQueue<Stamped> queue = new LinkedBlockingQueue<>(16);
    threads.submit(() -> {
      // not try-with-resources: closing a socket's stream closes the socket, and the other
      // direction may still be carrying the answer
      try {
        InputStream in = from.getInputStream();
        while (true) {
          byte[] buffer = new byte[CHUNK];
          int n = in.read(buffer);
          queue.put(new Stamped(buffer, n, System.nanoTime()));
          if (n < 0) return;
        }
      } catch (IOException | InterruptedException e) {
        queue.offer(new Stamped(null, -1, System.nanoTime()));
      }
    });
    threads.submit(() -> {
      long linkFreeAt = 0;
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Stamped s = queue.take();
          if (s.length() < 0) {
            to.shutdownOutput();
            return;
          }
          // serialisation at the link's rate, then propagation delay
          long start = Math.max(linkFreeAt, s.at());
          linkFreeAt = start + Math.round(s.length() / bytesPerNano);
          sleepUntil(linkFreeAt + delayNanos);
          out.write(s.data(), 0, s.length());
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the connection ended
      }
    });
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      if (wait > 2_000_000) Thread.sleep((wait - 1_000_000) / 1_000_000);
      else Thread.onSpinWait();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    threads.shutdownNow();
  }
}
