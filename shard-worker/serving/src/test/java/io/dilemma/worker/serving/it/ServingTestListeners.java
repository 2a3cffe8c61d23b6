package io.dilemma.worker.serving.it;

import io.dilemma.worker.serving.ShardWorker;
import io.dilemma.worker.serving.http.HttpLimits;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Workers on loopback with free ports and default limits. */
final class ServingTestListeners {
  private ServingTestListeners() {}

  static ShardWorker.Listeners loopback() {
    return new ShardWorker.Listeners(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), HttpLimits.defaults(), Optional.empty());
  }

  /** A relay on loopback: the production gRPC server (limits, TLS) on a free port. */
  static ShardWorker.Listeners relay() {
    return new ShardWorker.Listeners(
        new InetSocketAddress("127.0.0.1", 0),
        Optional.of(ShardWorker.GrpcServerFactory.on(new InetSocketAddress("127.0.0.1", 0))),
        HttpLimits.defaults(),
        Optional.empty());
  }
}
