package io.dilemma.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.it.TinyModel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The head's {@code /v1/chat/completions} writes the messages with the template its plan carries
 * (the operator's {@code spec.serving.chatTemplate}): greedily, a chat answers exactly what {@code
 * /v1/completions} answers for the prompt that template renders.
 */
class HeadChatTemplateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ShardPlan.ChatTemplate ANGLED = new ShardPlan.ChatTemplate("{content}", "<<{content}>>", "{content}", "", null);
  private final HttpClient client = HttpClient.newHttpClient();
  @TempDir Path dir;

  private ShardWorker head(ShardPlan.ChatTemplate template, Optional<ChatTemplate> flag) throws Exception {
    ShardPlan plan = new ShardPlan(
        1, "chat", null, "p1", 0, 1, "n", new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        0, TinyModel.LAYERS - 1, Collections.nCopies(TinyModel.LAYERS, 32), true, true, null, null, null, true,
        ServingLimits.defaults(), template);
    return ShardWorker.start(plan, TinyModel.dir(), new ShardWorker.Listeners(
        new InetSocketAddress("127.0.0.1", 0), Optional.empty(), HttpLimits.defaults(), flag, dir.resolve("no-drain")));
  }

  private JsonNode post(ShardWorker worker, String path, String body) throws Exception {
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private JsonNode chat(ShardWorker worker) throws Exception {
    return post(worker, "/v1/chat/completions",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}], \"max_tokens\": 4, \"temperature\": 0}");
  }

  private JsonNode completion(ShardWorker worker, String prompt) throws Exception {
    return post(worker, "/v1/completions",
        JSON.createObjectNode().put("prompt", prompt).put("max_tokens", 4).put("temperature", 0).toString());
  }

  @Test
  void aChatIsWrittenWithThePlansTemplate() throws Exception {
    try (ShardWorker worker = head(ANGLED, Optional.empty())) {
      JsonNode chat = chat(worker);
      JsonNode rendered = completion(worker, "<<hello>>");
      assertThat(chat.at("/usage/prompt_tokens").asInt()).isEqualTo(rendered.at("/usage/prompt_tokens").asInt());
      assertThat(chat.at("/choices/0/message/content").asText()).isEqualTo(rendered.at("/choices/0/text").asText());
    }
  }

  @Test
  void theCommandLinesTemplateOverridesThePlans() throws Exception {
    try (ShardWorker worker = head(ANGLED, Optional.of(ChatTemplate.plainDialogue()))) {
      assertThat(chat(worker).at("/usage/prompt_tokens").asInt())
          .isEqualTo(completion(worker, "User: hello\nAssistant:").at("/usage/prompt_tokens").asInt())
          .isNotEqualTo(completion(worker, "<<hello>>").at("/usage/prompt_tokens").asInt());
    }
  }

  @Test
  void withoutATemplateInThePlanTheHeadWritesPlainDialogue() throws Exception {
    try (ShardWorker worker = head(null, Optional.empty())) {
      assertThat(chat(worker).at("/usage/prompt_tokens").asInt())
          .isEqualTo(completion(worker, "User: hello\nAssistant:").at("/usage/prompt_tokens").asInt());
    }
  }
}
