package io.dilemma.worker.serving.session;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Per-session state of one worker (mostly its KV cache), bounded in bytes. Idle sessions expire
 * after a TTL. A session that alone exceeds the bound is evicted too: the bound is what the
 * planner reserved.
 *
 * <p>Past the bound, idle sessions (unused for {@code idleAfter}) go first, least recently used
 * first. If the sessions still generating hold more than the bound, the one started last goes:
 * plain LRU would evict, at every decode round, exactly the session whose step comes next, so
 * sessions past the bound would evict each other until none finished. New sessions are refused
 * instead ({@link #admit}) while the active ones leave no room for what they were admitted for (a
 * session's KV cache at its last position), so admitted sessions fit to the end.
 */
public final class SessionCache<V> {

  /** Why a session left the cache without being ended. */
  public enum EvictionReason {
    /** Idle past the TTL. */
    TTL,
    /** Idle (not past the TTL), and the bound was needed. */
    LRU,
    /** Still generating, but the active sessions outgrew the bound: the last one started goes. */
    NEWEST;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Told about every eviction, e.g. to count it in metrics. */
  @FunctionalInterface
  public interface EvictionListener {
    void evicted(long sessionId, EvictionReason reason);
  }

  /**
   * {@code started} orders sessions by when they began; it survives every put of the session.
   * {@code reserved}: the bytes the session was admitted for (its KV cache at its last position);
   * {@code value} is null while the admitted session has not stored its first state.
   */
  private record Entry<V>(V value, long bytes, long reserved, long lastUsedNanos, long started) {
    long committed() {
      return Math.max(bytes, reserved);
    }

    Entry<V> touched(long now) {
      return new Entry<>(value, bytes, reserved, now, started);
    }
  }

  private final long maxBytes;
  private final long ttlNanos;
  private final long idleNanos;
  private final ToLongFunction<V> sizer;
  private final LongSupplier nanoClock;
  private final EvictionListener listener;
  private final LinkedHashMap<Long, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long totalBytes;
  private long starts;

  /**
   * @param idleAfter a session unused this long is idle: evicted before any active one, and its
   *     reservation no longer keeps new sessions out
   */
  public SessionCache(
      long maxBytes, Duration ttl, Duration idleAfter, ToLongFunction<V> sizer, LongSupplier nanoClock, EvictionListener listener) {
    if (maxBytes <= 0 || ttl.isNegative() || ttl.isZero() || idleAfter.isNegative()) {
      throw new IllegalArgumentException("session cache needs a positive byte bound and TTL");
    }
    this.maxBytes = maxBytes;
    this.ttlNanos = ttl.toNanos();
    this.idleNanos = Math.min(idleAfter.toNanos(), ttlNanos);
    this.sizer = sizer;
    this.nanoClock = nanoClock;
    this.listener = listener;
  }

  /** The session's state, or null when it never existed, was ended or was evicted. */
  public V get(long sessionId) {
    EvictionReason expired = null;
    V value = null;
    synchronized (this) {
      Entry<V> entry = entries.get(sessionId);
      if (entry != null && entry.value() != null) {
        long now = nanoClock.getAsLong();
        if (now - entry.lastUsedNanos() > ttlNanos) {
          drop(sessionId);
          expired = EvictionReason.TTL;
        } else {
          entries.put(sessionId, entry.touched(now));
          value = entry.value();
        }
      }
    }
    if (expired != null) {
      listener.evicted(sessionId, expired);
    }
    return value;
  }

  /**
   * Admits a new session that will hold at most {@code reservedBytes}, if that fits next to what
   * the active sessions were admitted for; idle sessions are evicted to make room. False leaves
   * every session untouched: the caller refuses the new one.
   */
  public boolean admit(long sessionId, long reservedBytes) {
    Map<Long, EvictionReason> evicted = new LinkedHashMap<>();
    boolean fits;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      collectExpired(now, evicted);
      drop(sessionId);
      long active = 0;
      for (Entry<V> entry : entries.values()) {
        if (!idle(entry, now)) active += entry.committed();
      }
      fits = reservedBytes <= maxBytes && active + reservedBytes <= maxBytes;
      if (fits) {
        evictIdle(now, maxBytes - reservedBytes, true, evicted);
        entries.put(sessionId, new Entry<>(null, 0, reservedBytes, now, ++starts));
      }
    }
    evicted.forEach(listener::evicted);
    return fits;
  }

  /**
   * Stores the session's new state, then evicts expired and idle sessions past the bound and, if
   * the active ones still exceed it, the newest.
   */
  public void put(long sessionId, V value) {
    Map<Long, EvictionReason> evicted = new LinkedHashMap<>();
    synchronized (this) {
      Entry<V> old = entries.get(sessionId);
      long started = old == null ? ++starts : old.started();
      long reserved = old == null ? 0 : old.reserved();
      drop(sessionId);
      long bytes = sizer.applyAsLong(value);
      long now = nanoClock.getAsLong();
      entries.put(sessionId, new Entry<>(value, bytes, reserved, now, started));
      totalBytes += bytes;
      collectExpired(now, evicted);
      evictIdle(now, maxBytes, false, evicted);
      while (totalBytes > maxBytes) {
        Map.Entry<Long, Entry<V>> newest = null;
        for (Map.Entry<Long, Entry<V>> e : entries.entrySet()) {
          if (newest == null || e.getValue().started() > newest.getValue().started()) newest = e;
        }
        drop(newest.getKey());
        evicted.put(newest.getKey(), EvictionReason.NEWEST);
      }
    }
    evicted.forEach(listener::evicted);
  }

  private boolean idle(Entry<V> entry, long now) {
    return now - entry.lastUsedNanos() > idleNanos;
  }

  /**
   * Evicts idle sessions, least recently used first, until at most {@code bound} bytes are held,
   * counting reservations when {@code committed}.
   */
  private void evictIdle(long now, long bound, boolean committed, Map<Long, EvictionReason> evicted) {
    long held = 0;
    for (Entry<V> entry : entries.values()) held += committed ? entry.committed() : entry.bytes();
    for (Iterator<Map.Entry<Long, Entry<V>>> it = entries.entrySet().iterator(); held > bound && it.hasNext(); ) {
      Map.Entry<Long, Entry<V>> oldest = it.next();
      if (!idle(oldest.getValue(), now)) continue;
      it.remove();
      totalBytes -= oldest.getValue().bytes();
      held -= committed ? oldest.getValue().committed() : oldest.getValue().bytes();
      evicted.put(oldest.getKey(), EvictionReason.LRU);
    }
  }

  /** Ends a session; not an eviction. */
  public synchronized void remove(long sessionId) {
    drop(sessionId);
  }

  /** Evicts the sessions idle for longer than the TTL; run periodically so idle memory returns. */
  public void evictExpired() {
    Map<Long, EvictionReason> evicted = new LinkedHashMap<>();
    synchronized (this) {
      collectExpired(nanoClock.getAsLong(), evicted);
    }
    evicted.forEach(listener::evicted);
  }

  public synchronized long totalBytes() {
    return totalBytes;
  }

  public synchronized int size() {
    return entries.size();
  }

  private void collectExpired(long now, Map<Long, EvictionReason> evicted) {
    for (Iterator<Map.Entry<Long, Entry<V>>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Entry<V>> entry = it.next();
      if (now - entry.getValue().lastUsedNanos() > ttlNanos) {
        it.remove();
        totalBytes -= entry.getValue().bytes();
        evicted.put(entry.getKey(), EvictionReason.TTL);
      }
    }
  }

  private void drop(long sessionId) {
    Entry<V> old = entries.remove(sessionId);
    if (old != null) {
      totalBytes -= old.bytes();
    }
  }
}
