package io.dilemma.worker.serving.session;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Per-session state of one worker (mostly its KV cache), bounded in bytes. Idle sessions expire
 * after a TTL; when the bound is exceeded the least recently used sessions go first. A session
 * that alone exceeds the bound is evicted too: the bound is what the planner reserved.
 */
public final class SessionCache<V> {

  /** Why a session left the cache without being ended. */
  public enum EvictionReason {
    TTL,
    LRU;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Told about every eviction, e.g. to count it in metrics. */
  @FunctionalInterface
  public interface EvictionListener {
    void evicted(long sessionId, EvictionReason reason);
  }

  private record Entry<V>(V value, long bytes, long lastUsedNanos) {}

  private final long maxBytes;
  private final long ttlNanos;
  private final ToLongFunction<V> sizer;
  private final LongSupplier nanoClock;
  private final EvictionListener listener;
  private final LinkedHashMap<Long, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long totalBytes;

  public SessionCache(
      long maxBytes, Duration ttl, ToLongFunction<V> sizer, LongSupplier nanoClock, EvictionListener listener) {
    if (maxBytes <= 0 || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("session cache needs a positive byte bound and TTL");
    }
    this.maxBytes = maxBytes;
    this.ttlNanos = ttl.toNanos();
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
      if (entry != null) {
        long now = nanoClock.getAsLong();
        if (now - entry.lastUsedNanos() > ttlNanos) {
          drop(sessionId);
          expired = EvictionReason.TTL;
        } else {
          entries.put(sessionId, new Entry<>(entry.value(), entry.bytes(), now));
          value = entry.value();
        }
      }
    }
    if (expired != null) {
      listener.evicted(sessionId, expired);
    }
    return value;
  }

  /** Stores the session's new state, then evicts expired and least recently used sessions. */
  public void put(long sessionId, V value) {
    Map<Long, EvictionReason> evicted = new LinkedHashMap<>();
    synchronized (this) {
      drop(sessionId);
      long bytes = sizer.applyAsLong(value);
      long now = nanoClock.getAsLong();
      entries.put(sessionId, new Entry<>(value, bytes, now));
      totalBytes += bytes;
      collectExpired(now, evicted);
      for (Iterator<Map.Entry<Long, Entry<V>>> it = entries.entrySet().iterator();
          totalBytes > maxBytes && it.hasNext(); ) {
        Map.Entry<Long, Entry<V>> oldest = it.next();
        it.remove();
        totalBytes -= oldest.getValue().bytes();
        evicted.put(oldest.getKey(), EvictionReason.LRU);
      }
    }
    evicted.forEach(listener::evicted);
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
