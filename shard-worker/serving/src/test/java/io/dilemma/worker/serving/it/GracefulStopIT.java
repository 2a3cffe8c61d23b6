package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.ShardWorker;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A pod stopped mid-completion (SIGTERM after its preStop drain) answers what it has started: the
 * head finishes its requests in flight and the shard after it serves their steps until the head
 * closes its link, although both are told to stop at the same moment, as a replan's old pods are.
 */
class GracefulStopIT {
  private static final CompletionClient client = new CompletionClient();
  /** Long enough that an abrupt stop lands mid-stream: hundreds of steps across the hop. */
  private static final int TOKENS = 480;

  private static ShardPlan last() throws Exception {
    return new ShardPlan(
        1, "graceful", null, "p1", 1, 2, "n1",
        new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        1, TinyModel.LAYERS - 1, Collections.nCopies(TinyModel.LAYERS - 1, 32),
        false, true, null, null, null, false, ServingLimits.defaults());
  }

  private static ShardPlan head(String next) throws Exception {
    return new ShardPlan(
        1, "graceful", null, "p1", 0, 2, "n0",
        new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        0, 0, List.of(32), true, false, next, null, CutQuantization.none(), true, ServingLimits.defaults());
  }

  @Test
  void aStreamInFlightWhenBothShardsAreStoppedEndsWithEveryTokenAndDone() throws Exception {
    ShardWorker last = ShardWorker.start(last(), TinyModel.dir(), ServingTestListeners.relay());
    ShardWorker head = ShardWorker.start(head("127.0.0.1:" + last.grpcPort().orElseThrow()), TinyModel.dir(), ServingTestListeners.loopback());
    try {
      URI uri = URI.create("http://127.0.0.1:" + head.httpPort() + "/v1/completions");
      HttpResponse<java.util.stream.Stream<String>> response = client.stream(uri, CompletionClient.request(TinyModel.prompt(3, 8), TOKENS));
      assertThat(response.statusCode()).isEqualTo(200);
      Iterator<String> lines = response.body().iterator();
      int chunks = 0;
      while (chunks == 0 && lines.hasNext()) {
        if (lines.next().startsWith("data: {")) chunks++;
      }
      assertThat(chunks).as("the first token streamed").isOne();

      CompletableFuture<Void> lastStops = CompletableFuture.runAsync(() -> last.stopGracefully(Duration.ofSeconds(20)));
      CompletableFuture<Void> headStops = CompletableFuture.runAsync(() -> head.stopGracefully(Duration.ofSeconds(15)));

      boolean done = false;
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("data: {")) chunks++;
        if (line.equals("data: [DONE]")) done = true;
      }
      assertThat(done).as("the stream ended with [DONE] after %d chunks", chunks).isTrue();
      assertThat(chunks).as("a chunk per token, at least").isGreaterThanOrEqualTo(TOKENS);
      headStops.get();
      lastStops.get();
    } finally {
      head.close();
      last.close();
    }
  }
}
