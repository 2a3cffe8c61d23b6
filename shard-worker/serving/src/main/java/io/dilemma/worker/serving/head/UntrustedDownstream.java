package io.dilemma.worker.serving.head;

import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardFailure;

/**
 * What shard 1 says about a failure is a claim, not the head's verdict: its error trailers may be
 * malformed or forged. The shard index must lie behind the head, the text is cut to one printable
 * line and quoted as that shard's, and an error reply the link cannot even read becomes
 * "unavailable" for shard 1 instead of an exception in the head.
 */
final class UntrustedDownstream implements Downstream {
  static final int MAX_DETAIL_CHARS = 300;
  private final NextShardLink link;
  private final int shardCount;

  UntrustedDownstream(NextShardLink link, int shardCount) {
    this.link = link;
    this.shardCount = shardCount;
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
    int blamed = shard >= link.toShard() && shard < shardCount ? shard : link.toShard();
    String detail = detail(claimed.getMessage());
    String prefix = "shard " + blamed + " ";
    // the link's own words already start with the shard's name; a remote claim gets it prepended
    return new ShardFailure(blamed, claimed.kind(), detail.startsWith(prefix) ? detail : "shard " + blamed + ": " + detail);
  }

  private ShardFailure unreadable(RuntimeException error) {
    return new ShardFailure(
        link.toShard(),
        ShardFailure.Kind.UNAVAILABLE,
        "shard " + link.toShard() + " at " + link.address() + " sent an error reply the head cannot read ("
            + error.getClass().getSimpleName() + ")");
  }

  /** One line of printable characters, at most {@link #MAX_DETAIL_CHARS}. */
  static String detail(String text) {
    if (text == null || text.isBlank()) {
      return "no detail";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < MAX_DETAIL_CHARS; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        break;
      }
      if (!Character.isISOControl(c) && !Character.isSurrogate(c) && c != '\uFFFD') {
        out.append(c);
      }
    }
    return text.length() > out.length() && out.length() >= MAX_DETAIL_CHARS ? out + "…" : out.toString();
  }
}
