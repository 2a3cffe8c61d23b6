package io.dilemma.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SteadyClientTest {
  @Test
  void everyRequestIsKeptInOrderTheFailedOnesWithWhyAndTold() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch fourSent = new CountDownLatch(4);
    List<Exception> told = Collections.synchronizedList(new ArrayList<>());
    SteadyClient client = new SteadyClient("test-client", () -> {
      int n = sent.incrementAndGet();
      fourSent.countDown();
      if (n == 2) throw new IOException("HTTP 503 from the head");
    }, Duration.ZERO, told::add);
    client.start();
    assertThat(fourSent.await(30, TimeUnit.SECONDS)).isTrue();
    client.stop();
    List<SteadyClient.Sample> samples = client.samples();
    assertThat(samples).hasSize(sent.get());
    assertThat(samples).extracting(SteadyClient.Sample::failed).startsWith(false, true, false, false);
    assertThat(samples.get(1).failure()).isEqualTo("java.io.IOException: HTTP 503 from the head");
    assertThat(told).singleElement().extracting(Exception::getMessage).isEqualTo("HTTP 503 from the head");
    assertThat(samples).allSatisfy(s -> assertThat(s.began()).isBeforeOrEqualTo(s.ended()));
  }

  @Test
  void stopLetsTheRequestInFlightFinishAndSendsNoMore() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    SteadyClient client = new SteadyClient("test-client", () -> {
      sent.incrementAndGet();
      inFlight.countDown();
      answer.await();
    }, Duration.ZERO, e -> {});
    client.start();
    assertThat(inFlight.await(30, TimeUnit.SECONDS)).isTrue();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      try {
        client.stop();
      } catch (InterruptedException e) {
        return;
      }
      stopped.countDown();
    });
    stopper.start();
    assertThat(stopped.await(300, TimeUnit.MILLISECONDS)).as("stop returned with a request in flight").isFalse();
    answer.countDown();
    stopper.join(30_000);
    assertThat(stopped.getCount()).isZero();
    assertThat(sent.get()).isEqualTo(1);
    assertThat(client.samples()).singleElement().extracting(SteadyClient.Sample::failed).isEqualTo(false);
    client.stop();
  }
}
