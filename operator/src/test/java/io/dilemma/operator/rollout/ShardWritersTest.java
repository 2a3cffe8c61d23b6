package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardWritersTest {
  @Test
  void theShardsAreWrittenSideBySide() {
    // Each task waits for the other two: one after the other, none would ever finish.
    CountDownLatch all = new CountDownLatch(3);
    AtomicInteger done = new AtomicInteger();
    Runnable meetTheOthers = () -> {
      all.countDown();
      try {
        if (all.await(30, TimeUnit.SECONDS)) done.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    ShardWriters.inParallel(List.of(meetTheOthers, meetTheOthers, meetTheOthers));
    assertThat(done.get()).isEqualTo(3);
  }

  @Test
  void aRefusedWriteIsRethrownAsItWasThrownAfterTheOthersEnded() {
    AtomicInteger written = new AtomicInteger();
    Runnable refused = () -> {
      throw new KubernetesClientException("forbidden");
    };
    assertThatThrownBy(() -> ShardWriters.inParallel(List.of(written::incrementAndGet, refused, written::incrementAndGet)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessage("forbidden");
    assertThat(written.get()).isEqualTo(2);
  }
}
