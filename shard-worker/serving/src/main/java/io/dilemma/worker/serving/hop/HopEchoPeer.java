package io.dilemma.worker.serving.hop;

import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.transport.ShardGrpcServer;
import io.dilemma.worker.serving.transport.ShardTls;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The second process of {@link LoopbackHopTimer}: a shard's gRPC server, built as a shard builds
 * it, around {@link EchoStepService}. It prints {@code port N} and lives until its standard input
 * closes, so it never outlives the profiler.
 *
 * <p>Arguments: the hidden size, the largest message in bytes.
 */
public final class HopEchoPeer {
  static final String PORT_LINE = "port ";

  private HopEchoPeer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int hiddenSize = Integer.parseInt(args[0]);
    int maxMessageBytes = Integer.parseInt(args[1]);
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (ShardTls plaintext = ShardTls.plaintext()) {
      Server server =
          ShardGrpcServer.builder(address, plaintext, maxMessageBytes)
              .addService(new EchoStepService(new FrameLimits(hiddenSize, 1)))
              .build()
              .start();
      System.out.println(PORT_LINE + server.getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // the profiler holds the pipe open while it measures
      }
      server.shutdownNow().awaitTermination();
    }
  }
}
