package io.dilemma.worker.serving.head;

import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import io.dilemma.worker.serving.pipeline.StepErrors;

/**
 * What shard 1 says about a failure is a claim, not the head's verdict. The link already refuses a
 * report naming a shard outside the ones behind the head and bounds its text to one printable line
 * ({@link StepErrors}); here the text is quoted as that shard's, never as the head's own words, and
 * an error reply the link cannot even read becomes "unavailable" for shard 1 instead of an
 * exception in the head.
 */
final class UntrustedDownstream implements Downstream {
  private final NextShardLink link;

  UntrustedDownstream(NextShardLink link) {
    this.link = link;
  }

  @Override
  public StepReply forward(StepRequest request) throws ShardFailure {
    try {
      return link.forward(request);
    } catch (ShardFailure claimed) {
      throw checked(claimed);
    } catch (RuntimeException unreadable) {
      throw unreadable(unreadable);
    }
  }

  @Override
  public void endSession(long sessionId) {
    try {
      link.endSession(sessionId);
    } catch (RuntimeException ignored) {
      // best effort by design
    }
  }

  @Override
  public void checkChain(String planId) throws ShardFailure {
    try {
      link.checkChain(planId);
    } catch (ShardFailure claimed) {
      throw checked(claimed);
    } catch (RuntimeException unreadable) {
      throw unreadable(unreadable);
    }
  }

  @Override
  public void close() {
    link.close();
  }

  ShardFailure checked(ShardFailure claimed) {
    int shard = claimed.shardIndex();
    String detail = StepErrors.printable(claimed.getMessage());
    String prefix = "shard " + shard + " ";
    // the link's own words already start with the shard's name; a remote claim gets it prepended
    return new ShardFailure(shard, claimed.kind(), detail.startsWith(prefix) ? detail : "shard " + shard + ": " + detail);
  }

  private ShardFailure unreadable(RuntimeException error) {
    return new ShardFailure(
        link.toShard(),
        ShardFailure.Kind.UNAVAILABLE,
        "shard " + link.toShard() + " at " + link.address() + " sent an error reply the head cannot read ("
            + error.getClass().getSimpleName() + ")");
  }
}
