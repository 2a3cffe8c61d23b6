package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.ShardWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, which no one here wrote, pointed at a one-shard head on opt-tiny.
 * Every response must parse, which the SDK checks with {@code validate()}.
 */
class OpenAiClientIT {
  private static ShardWorker head;
  private static OpenAIClient openAi;

  @BeforeAll
  static void start() throws Exception {
    ShardPlan plan =
        new ShardPlan(
            1, "sdk", null, "p1", 0, 1, "origin",
            new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
            0, TinyModel.LAYERS - 1, Collections.nCopies(TinyModel.LAYERS, 32),
            true, true, null, null, null, true, ServingLimits.defaults());
    head = ShardWorker.start(plan, TinyModel.dir(), ServingTestListeners.loopback());
    openAi =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + head.httpPort() + "/v1")
            .apiKey("not-checked")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(60))
            .build();
  }

  @AfterAll
  static void stop() {
    if (openAi != null) {
      openAi.close();
    }
    if (head != null) {
      head.close();
    }
  }

  @Test
  void completion() {
    Completion completion =
        openAi.completions().create(
            CompletionCreateParams.builder().model("opt-tiny").prompt("The edge").maxTokens(6).temperature(0.0).seed(1).build());
    completion.validate();
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).text()).doesNotContain("\uFFFD");
    assertThat(completion.choices().get(0).finishReason().asString()).isIn("stop", "length");
    assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 6L);
  }

  @Test
  void chatCompletion() {
    ChatCompletion chat =
        openAi.chat().completions().create(
            ChatCompletionCreateParams.builder()
                .model(ChatModel.of("opt-tiny"))
                .addSystemMessage("You are terse.")
                .addUserMessage("Say something about the edge.")
                .maxCompletionTokens(8)
                .temperature(0.0)
                .build());
    chat.validate();
    assertThat(chat.choices().get(0).message().content()).isPresent();
    assertThat(chat.choices().get(0).message().content().get()).doesNotContain("\uFFFD").doesNotContain("User:");
    assertThat(chat.usage().orElseThrow().promptTokens()).isPositive();
  }

  @Test
  void streamedChatCompletion() {
    List<String> deltas = new ArrayList<>();
    List<String> finishes = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        openAi.chat().completions().createStreaming(
            ChatCompletionCreateParams.builder()
                .model(ChatModel.of("opt-tiny"))
                .addUserMessage("Hello")
                .maxCompletionTokens(8)
                .temperature(0.0)
                .build())) {
      stream.stream().forEach(chunk -> {
        chunk.validate();
        chunk.choices().forEach(choice -> {
          choice.delta().content().ifPresent(deltas::add);
          choice.finishReason().ifPresent(reason -> finishes.add(reason.asString()));
        });
      });
    }
    assertThat(finishes).hasSize(1);
    assertThat(String.join("", deltas)).doesNotContain("\uFFFD");
  }

  @Test
  void modelsList() {
    List<Model> models = new ArrayList<>();
    openAi.models().list().autoPager().forEach(models::add);
    models.forEach(Model::validate);
    assertThat(models).extracting(Model::id).containsExactly("opt-tiny");
  }

  @Test
  void anUnsupportedParameterIsA400TheSdkReads() {
    assertThatThrownBy(() ->
            openAi.chat().completions().create(
                ChatCompletionCreateParams.builder().model(ChatModel.of("opt-tiny")).addUserMessage("Hi").n(2).build()))
        .isInstanceOfSatisfying(BadRequestException.class, error -> {
          assertThat(error.statusCode()).isEqualTo(400);
          assertThat(error.getMessage()).contains("n other than 1 is not supported");
        });
  }
}
