package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dilemma.worker.serving.grpc.v1.StepError;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.launch.LocalPipeline;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Acceptance of issue 4 with real processes: three {@code shard-worker serve} JVMs on loopback
 * splitting opt-tiny (layers 0 | 1 | 2–3), compared with the whole model in this JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineProcessesIT {
  private static final ServingLimits LIMITS = new ServingLimits(64L << 20, 60, 3000);
  private static final CompletionClient client = new CompletionClient();
  private static LocalPipeline unquantized;

  @BeforeAll
  static void launchUnquantizedPipeline() throws Exception {
    unquantized = launch(CutQuantization.none(), "fp32");
  }

  @AfterAll
  static void stop() {
    if (unquantized != null) {
      unquantized.close();
    }
  }

  private static LocalPipeline launch(CutQuantization cut, String name) throws Exception {
    return LocalPipeline.launch(
        TinyModel.dir(), new LocalPipeline.Layout(3, TinyModel.LAYERS, 32, cut, true, LIMITS), Path.of("target", "it-" + name).toAbsolutePath());
  }

  @Test
  @Order(1)
  void sixteenBitCutsReproduceTheSingleProcessGreedyTokens() throws Exception {
    long[] prompt = TinyModel.prompt(1, 12);
    long[] reference = TinyModel.reference(prompt, 40);

    CompletionClient.Reply reply = client.complete(unquantized.headUrl("/v1/completions"), prompt, 40);
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    assertThat(reply.tokens()).containsExactly(reference);
    assertThat(reply.body().at("/usage/completion_tokens").asInt()).isEqualTo(40);

    List<Long> streamed = new ArrayList<>();
    HttpResponse<Stream<String>> stream = client.stream(unquantized.headUrl("/v1/completions"), CompletionClient.request(prompt, 40));
    assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
    List<String> events = stream.body().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    for (String event : events.subList(0, events.size() - 1)) {
      // the last event before [DONE] carries only the finish reason
      JsonNode tokens = CompletionClient.JSON.readTree(event).at("/choices/0/tokens");
      tokens.forEach(token -> streamed.add(token.asLong()));
    }
    assertThat(streamed).containsExactly(java.util.Arrays.stream(reference).boxed().toArray(Long[]::new));
  }

  @Test
  @Order(2)
  void concurrentRequestsEachGetTheirOwnSession() throws Exception {
    List<CompletableFuture<CompletionClient.Reply>> replies = new ArrayList<>();
    List<long[]> references = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      long[] prompt = TinyModel.prompt(10 + i, 5 + 3 * i);
      references.add(TinyModel.reference(prompt, 20));
      replies.add(CompletableFuture.supplyAsync(() -> {
        try {
          return client.complete(unquantized.headUrl("/v1/completions"), prompt, 20);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (int i = 0; i < 4; i++) {
      assertThat(replies.get(i).get().tokens()).as("request %d", i).containsExactly(references.get(i));
    }
    // concurrent sessions' decode steps ran in shared batches somewhere along the chain
    double sessionsInBatches = 0;
    double batches = 0;
    for (int shard = 0; shard < 3; shard++) {
      String metrics = client.get(unquantized.shardUrl(shard, "/metrics")).body();
      sessionsInBatches += CompletionClient.metric(metrics, "dilemma_decode_batch_size_sum", "shard=\"" + shard + "\"");
      batches += CompletionClient.metric(metrics, "dilemma_decode_batch_size_count", "shard=\"" + shard + "\"");
    }
    assertThat(sessionsInBatches).as("sessions in %s decode batches", batches).isGreaterThan(batches);
  }

  @Test
  @Order(8)
  void aHungLastShardIsNamedWithinTheRequestTimeout() throws Exception {
    long[] prompt = TinyModel.prompt(6, 6);
    signal("STOP", unquantized.pid(2));
    try {
      long started = System.nanoTime();
      CompletionClient.Reply hung = client.complete(unquantized.headUrl("/v1/completions"), prompt, 4);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("request while shard 2 is frozen: HTTP %d after %.3f s: %s%n", hung.status(), seconds, hung.body());
      assertThat(hung.status()).isEqualTo(503);
      assertThat(hung.body().at("/error/shard").asInt()).as(hung.body().toString()).isEqualTo(2);
      assertThat(hung.body().at("/error/message").asText()).contains("shard 2 at 127.0.0.1:").contains("did not answer within");
      assertThat(seconds).isLessThan(LIMITS.requestTimeoutMillis() / 1000.0 + 1);
    } finally {
      signal("CONT", unquantized.pid(2));
    }
    assertThat(client.complete(unquantized.headUrl("/v1/completions"), prompt, 4).tokens())
        .containsExactly(TinyModel.reference(prompt, 4));
  }

  private static void signal(String signal, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor()).isZero();
  }

  @Test
  @Order(9)
  void quantizedCutsAgreeMoreWithTheReferenceAsRhoRisesAndSendTheFormulaBytes() throws Exception {
    List<long[]> contexts = new ArrayList<>();
    List<Long> nextTokens = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      long[] prompt = TinyModel.prompt(100 + p, 8);
      long[] continuation = TinyModel.reference(prompt, 10);
      for (int k = 0; k < continuation.length; k++) {
        long[] context = java.util.Arrays.copyOf(prompt, prompt.length + k);
        System.arraycopy(continuation, 0, context, prompt.length, k);
        contexts.add(context);
        nextTokens.add(continuation[k]);
      }
    }
    StringBuilder report = new StringBuilder("rho | top-1 agreement (teacher-forced, " + contexts.size() + " positions) | free-run token agreement | link bytes vs formula\n");
    double[] rhos = {0, 0.5, 1};
    double[] agreement = new double[rhos.length];
    for (int r = 0; r < rhos.length; r++) {
      try (LocalPipeline pipeline = launch(new CutQuantization(rhos[r], 8, 4), "rho-" + rhos[r])) {
        int agree = 0;
        for (int i = 0; i < contexts.size(); i++) {
          CompletionClient.Reply reply = client.complete(pipeline.headUrl("/v1/completions"), contexts.get(i), 1);
          assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
          agree += reply.tokens()[0] == nextTokens.get(i) ? 1 : 0;
        }
        agreement[r] = agree / (double) contexts.size();

        long[] prompt = TinyModel.prompt(7, 16);
        int newTokens = 48;
        double[] before = linkBytes(pipeline);
        CompletionClient.Reply reply = client.complete(pipeline.headUrl("/v1/completions"), prompt, newTokens);
        double[] after = linkBytes(pipeline);
        long[] reference = TinyModel.reference(prompt, newTokens);
        int same = 0;
        for (int i = 0; i < newTokens; i++) {
          same += reply.tokens()[i] == reference[i] ? 1 : 0;
        }
        // steps: one prefill chunk of 16 tokens, then 47 decode steps of 1 token
        int steps = newTokens;
        int tokens = prompt.length + newTokens - 1;
        double formula = (8 * rhos[r] + 4 * (1 - rhos[r])) * TinyModel.HIDDEN * tokens / 8;
        double documented = formula + steps * 20 + ((prompt.length + 7) / 8 + (newTokens - 1)) + 4.0 * tokens;
        for (int link = 0; link < 2; link++) {
          double measured = after[link] - before[link];
          assertThat(Math.abs(measured - documented) / documented)
              .as("link %d→%d at rho %s: %s bytes vs %s expected", link, link + 1, rhos[r], measured, documented)
              .isLessThan(0.02);
          assertThat(Math.abs(measured - (documented - formula) - formula) / formula).isLessThan(0.02);
        }
        report.append(String.format("%.2f | %.3f | %d/%d | %.0f measured vs %.0f = O_i %.0f + header/bitmap/scales%n",
            rhos[r], agreement[r], same, newTokens, after[0] - before[0], documented, formula));
      }
    }
    System.out.print(report);
    Files.writeString(Path.of("target", "pipeline-quantized-agreement.txt"), report);
    assertThat(agreement[2]).isGreaterThanOrEqualTo(agreement[1]);
    assertThat(agreement[1]).isGreaterThanOrEqualTo(agreement[0]);
    assertThat(agreement[2]).isGreaterThan(agreement[0]);
  }

  private static double[] linkBytes(LocalPipeline pipeline) throws Exception {
    String head = client.get(pipeline.shardUrl(0, "/metrics")).body();
    String middle = client.get(pipeline.shardUrl(1, "/metrics")).body();
    return new double[] {
      CompletionClient.metric(head, "dilemma_link_bytes_total", "from=\"0\",namespace=\"\",to=\"1\""),
      CompletionClient.metric(middle, "dilemma_link_bytes_total", "from=\"1\",namespace=\"\",to=\"2\"")
    };
  }

  @Test
  @Order(3)
  void textPromptsAndSeededSamplingWork() throws Exception {
    var url = unquantized.headUrl("/v1/completions");
    CompletionClient.Reply text = client.post(url, "{\"prompt\":\"The quick brown fox\",\"max_tokens\":6,\"temperature\":0}");
    assertThat(text.status()).as(text.body().toString()).isEqualTo(200);
    assertThat(text.body().at("/usage/prompt_tokens").asInt()).isPositive();
    assertThat(text.tokens()).hasSize(6);
    assertThat(text.body().at("/choices/0/text").isTextual()).isTrue();

    String seeded = "{\"prompt\":[5,6,7,8],\"max_tokens\":16,\"temperature\":1.5,\"seed\":%d}";
    long[] first = client.post(url, String.format(seeded, 11)).tokens();
    assertThat(client.post(url, String.format(seeded, 11)).tokens()).containsExactly(first);
    assertThat(client.post(url, String.format(seeded, 12)).tokens()).isNotEqualTo(first);
  }

  @Test
  @Order(4)
  void metricsCoverCompletionsShardsLinksAndTheKvCache() throws Exception {
    String head = client.get(unquantized.shardUrl(0, "/metrics")).body();
    assertThat(head)
        .contains("dilemma_completion_seconds_bucket{deployment=\"local\"")
        .contains("dilemma_time_to_first_token_seconds_count{deployment=\"local\",namespace=\"\"}")
        .contains("dilemma_tokens_generated_total{deployment=\"local\",namespace=\"\"}")
        .contains("dilemma_shard_compute_seconds_count{deployment=\"local\",namespace=\"\",shard=\"0\"}")
        .contains("dilemma_link_transfer_seconds_count{deployment=\"local\",from=\"0\",namespace=\"\",to=\"1\"}")
        .contains("dilemma_kv_cache_bytes{deployment=\"local\",namespace=\"\",shard=\"0\"}");
    String last = client.get(unquantized.shardUrl(2, "/metrics")).body();
    assertThat(last).contains("dilemma_shard_compute_seconds_count{deployment=\"local\",namespace=\"\",shard=\"2\"}");
  }

  @Test
  @Order(6)
  void badRequestsGetA400AndTheHeadKeepsServing() throws Exception {
    var url = unquantized.headUrl("/v1/completions");
    CompletionClient.Reply notJson = client.post(url, "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().at("/error/message").asText()).startsWith("the request body is not valid JSON");
    CompletionClient.Reply badToken = client.post(url, "{\"prompt\":[1,99999],\"max_tokens\":2}");
    assertThat(badToken.status()).isEqualTo(400);
    assertThat(badToken.body().at("/error/message").asText()).contains("prompt[1] must be a token id");
    CompletionClient.Reply tooLong = client.post(url, "{\"prompt\":[1,2],\"max_tokens\":100000}");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.body().at("/error/message").asText()).contains("exceeds the model's context");
    assertThat(client.get(unquantized.headUrl("/v1/completions")).statusCode()).isEqualTo(405);

    long[] prompt = TinyModel.prompt(3, 6);
    assertThat(client.complete(url, prompt, 5).tokens()).containsExactly(TinyModel.reference(prompt, 5));
  }

  @Test
  @Order(5)
  void malformedAndOversizedFramesAreRefusedAndTheShardKeepsServing() throws Exception {
    String shard1 = unquantized.plan(0).nextShard();
    ManagedChannel channel = ManagedChannelBuilder.forTarget(shard1).usePlaintext().maxInboundMessageSize(128 << 20).build();
    try (StepClient steps = new StepClient(channel)) {
      StepRequest garbage =
          StepRequest.newBuilder()
              .setPlanId(unquantized.plan(1).planId())
              .setSessionId(42)
              .setActivations(ByteString.copyFromUtf8("DLAF but not really a frame"))
              .build();
      StepError refused = steps.send(garbage).getError();
      assertThat(refused.getKind()).isEqualTo(StepError.Kind.REJECTED);
      assertThat(refused.getShard()).isEqualTo(1);
      assertThat(refused.getMessage()).startsWith("shard 1: activation frame");

      StepRequest otherPlan = garbage.toBuilder().setSessionId(43).setPlanId("stale").build();
      StepError stale = steps.send(otherPlan).getError();
      assertThat(stale.getMessage()).contains("does not serve plan \"stale\"").doesNotContain(unquantized.plan(1).planId());
    }
    try (StepClient steps = new StepClient(channel)) {
      StepRequest oversized =
          StepRequest.newBuilder().setPlanId("p").setSessionId(44).setActivations(ByteString.copyFrom(new byte[64 << 20])).build();
      assertThatThrownBy(() -> steps.send(oversized))
          .hasRootCauseInstanceOf(StatusRuntimeException.class)
          .rootCause()
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    } finally {
      channel.shutdownNow();
    }
    long[] prompt = TinyModel.prompt(4, 6);
    assertThat(client.complete(unquantized.headUrl("/v1/completions"), prompt, 5).tokens())
        .containsExactly(TinyModel.reference(prompt, 5));
  }

  @Test
  @Order(7)
  void killingTheMiddleShardFailsTheRequestWithinFiveSecondsAndARestartRecovers() throws Exception {
    long[] prompt = TinyModel.prompt(5, 6);
    HttpResponse<Stream<String>> stream =
        client.stream(unquantized.headUrl("/v1/completions"), CompletionClient.request(prompt, 240));
    Iterator<String> events = stream.body().filter(line -> line.startsWith("data: ")).iterator();
    assertThat(events.next()).contains("\"tokens\"");
    long killed = System.nanoTime();
    unquantized.kill(1);
    String last = null;
    while (events.hasNext()) {
      last = events.next();
    }
    double seconds = (System.nanoTime() - killed) / 1e9;
    System.out.printf("killed shard 1 mid-stream: error event after %.3f s: %s%n", seconds, last);
    assertThat(seconds).isLessThan(5);
    // what a harness reports when it finds a shard gone: the SIGKILL's exit code and the shard's log
    assertThat(unquantized.exited(1)).hasValueSatisfying(why -> assertThat(why).startsWith("shard 1 (pid ").contains("exited with 137: "));
    assertThat(unquantized.exited(0)).isEmpty();
    JsonNode error = CompletionClient.JSON.readTree(last.substring(6));
    assertThat(error.at("/error/shard").asInt()).as(last).isEqualTo(1);
    assertThat(error.at("/error/message").asText()).contains("shard 1 at 127.0.0.1:");

    long started = System.nanoTime();
    CompletionClient.Reply refused = client.complete(unquantized.headUrl("/v1/completions"), prompt, 4);
    double refusedAfter = (System.nanoTime() - started) / 1e9;
    System.out.printf("request while shard 1 is down: HTTP %d after %.3f s: %s%n", refused.status(), refusedAfter, refused.body());
    assertThat(refusedAfter).isLessThan(5);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.body().at("/error/shard").asInt()).isEqualTo(1);
    assertThat(client.get(unquantized.headUrl("/readyz")).statusCode()).isEqualTo(503);

    unquantized.restart(1);
    CompletionClient.Reply recovered = client.complete(unquantized.headUrl("/v1/completions"), prompt, 12);
    assertThat(recovered.status()).as(recovered.body().toString()).isEqualTo(200);
    assertThat(recovered.tokens()).containsExactly(TinyModel.reference(prompt, 12));
  }
}
