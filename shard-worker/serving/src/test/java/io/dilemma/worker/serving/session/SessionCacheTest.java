package io.dilemma.worker.serving.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.serving.session.SessionCache.EvictionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
  private final AtomicLong clock = new AtomicLong();
  private final List<String> evictions = new ArrayList<>();
  private final SessionCache<Long> cache =
      new SessionCache<>(100, Duration.ofSeconds(10), bytes -> bytes, clock::get, (id, reason) -> evictions.add(id + ":" + reason));

  @Test
  void evictsTheLeastRecentlyUsedSessionsWhenOverTheBound() {
    cache.put(1, 40L);
    cache.put(2, 40L);
    assertThat(cache.get(1)).isEqualTo(40L); // 2 is now the least recently used
    cache.put(3, 40L);
    assertThat(evictions).containsExactly("2:" + EvictionReason.LRU);
    assertThat(cache.get(2)).isNull();
    assertThat(cache.totalBytes()).isEqualTo(80);
  }

  @Test
  void replacingASessionCountsOnlyItsNewSize() {
    cache.put(1, 40L);
    cache.put(1, 90L);
    assertThat(cache.totalBytes()).isEqualTo(90);
    assertThat(evictions).isEmpty();
  }

  @Test
  void expiresIdleSessionsAfterTheTtl() {
    cache.put(1, 10L);
    cache.put(2, 10L);
    clock.addAndGet(Duration.ofSeconds(6).toNanos());
    cache.get(2);
    clock.addAndGet(Duration.ofSeconds(6).toNanos());
    cache.evictExpired();
    assertThat(evictions).containsExactly("1:" + EvictionReason.TTL);
    assertThat(cache.get(2)).isEqualTo(10L);
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(cache.get(2)).isNull();
    assertThat(evictions).containsExactly("1:TTL", "2:TTL");
    assertThat(cache.totalBytes()).isZero();
  }

  @Test
  void aSessionLargerThanTheBoundIsEvictedItselfAndEndingIsNoEviction() {
    cache.put(1, 10L);
    cache.remove(1);
    cache.put(2, 150L);
    assertThat(evictions).containsExactly("2:LRU");
    assertThat(cache.size()).isZero();
  }
}
