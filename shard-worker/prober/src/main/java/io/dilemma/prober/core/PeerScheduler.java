package io.dilemma.prober.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Chooses the next peer to probe: one peer at a time, in name order round robin, and never sooner
 * than {@code minGap} after the previous probe started. Probing all peers at once would saturate
 * the node's own uplink and measure the prober, not the links. A peer whose last probe looked like
 * a new level is probed again next ({@link #again}), still within the rate limit, so the change is
 * confirmed or dismissed one interval later instead of a whole round.
 */
public final class PeerScheduler {
  private final Duration minGap;
  private Instant lastStart;
  private String lastPeer;
  private String again;

  public PeerScheduler(Duration minGap) {
    this.minGap = minGap;
  }

  /** The peer to probe now, or empty when the rate limit says wait or there is nobody to probe. */
  public Optional<String> next(Collection<String> peers, Instant now) {
    if (peers.isEmpty()) return Optional.empty();
    if (lastStart != null && lastStart.plus(minGap).isAfter(now)) return Optional.empty();
    TreeSet<String> sorted = new TreeSet<>(peers);
    String peer;
    if (again != null && sorted.contains(again)) {
      peer = again;
    } else {
      peer = lastPeer == null ? sorted.first() : sorted.higher(lastPeer);
      if (peer == null) peer = sorted.first();
      lastPeer = peer;
    }
    again = null;
    lastStart = now;
    return Optional.of(peer);
  }

  /** Makes {@code peer} the next probe once more; the round robin then goes on where it was. */
  public void again(String peer) {
    again = peer;
  }

  /** When {@link #next} may next return a peer. */
  public Instant nextAllowed() {
    return lastStart == null ? Instant.MIN : lastStart.plus(minGap);
  }
}
