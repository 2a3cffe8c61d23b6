package io.dilemma.worker.serving.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/** Talks to a head's HTTP API as a client would. */
final class CompletionClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Reply(int status, JsonNode body) {
    long[] tokens() {
      JsonNode tokens = body.at("/choices/0/tokens");
      long[] ids = new long[tokens.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = tokens.get(i).asLong();
      }
      return ids;
    }
  }

  static ObjectNode request(long[] prompt, int maxTokens) {
    ObjectNode body = JSON.createObjectNode();
    Arrays.stream(prompt).forEach(body.putArray("prompt")::add);
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    return body;
  }

  Reply post(URI uri, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()));
  }

  Reply complete(URI uri, long[] prompt, int maxTokens) throws Exception {
    return post(uri, JSON.writeValueAsString(request(prompt, maxTokens)));
  }

  HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<java.util.stream.Stream<String>> stream(URI uri, ObjectNode body) throws Exception {
    body.put("stream", true);
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  /** The value of a counter in a Prometheus text exposition, summed over series matching {@code labels}. */
  static double metric(String exposition, String name, String labels) {
    return exposition.lines()
        .filter(line -> line.startsWith(name + "{") && line.contains(labels))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
