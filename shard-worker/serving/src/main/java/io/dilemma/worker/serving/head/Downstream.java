package io.dilemma.worker.serving.head;

import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;

/** The shards after the head, as the completion engine sees them. */
public interface Downstream extends AutoCloseable {
  StepReply forward(StepRequest request) throws ShardFailure;

  /** Best effort: the shards' session TTL frees it anyway. */
  void endSession(long sessionId);

  void checkChain(String planId) throws ShardFailure;

  @Override
  void close();

  /** The gRPC link to shard 1, with every failure it reports checked before the head repeats it. */
  static Downstream over(NextShardLink link) {
    return new UntrustedDownstream(link);
  }
}
