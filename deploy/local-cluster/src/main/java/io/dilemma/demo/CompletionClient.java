package io.dilemma.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A user's client of the head: {@code POST /v1/completions} with a text prompt, through the head
 * Service's ClusterIP, which this machine reaches through the local cluster's kube-proxy rules.
 */
final class CompletionClient {
  /** One answer and the wall time the client waited for it. */
  record Answer(String text, int completionTokens, double seconds, String finishReason) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  private final String namespace;
  private final String service;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  CompletionClient(KubernetesClient client, String namespace, String service) {
    this.client = client;
    this.namespace = namespace;
    this.service = service;
  }

  Answer complete(String prompt, int maxTokens) throws IOException, InterruptedException {
    Service head = client.services().inNamespace(namespace).withName(service).get();
    if (head == null) throw new IOException("Service " + namespace + "/" + service + " does not exist");
    URI url = URI.create("http://" + head.getSpec().getClusterIP() + ":80/v1/completions");
    var body = JSON.createObjectNode().put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0);
    long start = System.nanoTime();
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    double seconds = (System.nanoTime() - start) / 1e9;
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " from " + url + ": " + response.body().strip());
    }
    JsonNode json = JSON.readTree(response.body());
    JsonNode choice = json.path("choices").path(0);
    return new Answer(choice.path("text").asText(), json.path("usage").path("completion_tokens").asInt(),
        seconds, choice.path("finish_reason").asText());
  }
}
