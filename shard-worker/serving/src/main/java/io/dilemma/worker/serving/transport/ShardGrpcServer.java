package io.dilemma.worker.serving.transport;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * How a shard's gRPC server is configured: handlers run on the transport threads (they never
 * block; steps go to the pipeline's bounded compute pool), and one connection can hold only a
 * few calls, bounded metadata and bounded messages.
 */
public final class ShardGrpcServer {
  /** Calls (HTTP/2 streams) one connection may have open: the step stream plus a few end-session and chain-check calls. */
  public static final int MAX_CALLS_PER_CONNECTION = 16;
  private static final int MAX_METADATA_BYTES = 8 << 10;

  private ShardGrpcServer() {}

  /** A server builder on {@code address}; the caller adds the service and starts it. */
  public static NettyServerBuilder builder(InetSocketAddress address, ShardTls tls, int maxMessageBytes) {
    return NettyServerBuilder.forAddress(address, tls.serverCredentials())
        .directExecutor()
        .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
        .maxInboundMessageSize(maxMessageBytes)
        .maxInboundMetadataSize(MAX_METADATA_BYTES)
        // a flood of stream resets (HTTP/2 "rapid reset") closes the connection
        .maxRstFramesPerWindow(200, 10)
        // the previous shard's link pings every 30 s to notice a dead peer
        .permitKeepAliveTime(20, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
  }
}
