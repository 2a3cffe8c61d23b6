package io.dilemma.worker.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.worker.serving.http.Route.Lane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP server under bad clients: each test starts its own server on loopback. */
class ShardHttpApiTest {
  private static final HttpLimits TIGHT =
      new HttpLimits(Duration.ofMillis(800), Duration.ofSeconds(5), Duration.ofMillis(800), 4096, 1024, 1, 1, 256, 2);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final CountDownLatch release = new CountDownLatch(1);
  private ShardHttpApi api;

  @AfterEach
  void stop() {
    release.countDown();
    if (api != null) {
      api.close();
    }
  }

  private String base(HttpLimits limits) throws IOException {
    api =
        new ShardHttpApi(
            new InetSocketAddress("127.0.0.1", 0),
            limits,
            List.of(
                new Route("/healthz", "GET", Lane.INLINE, call -> call.sendJson(200, JsonBodies.JSON.createObjectNode().put("status", "ok"))),
                new Route("/echo", "POST", Lane.WORK, call -> call.sendJson(200, call.json())),
                new Route("/slow", "POST", Lane.WORK, call -> {
                  try {
                    release.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  call.sendJson(200, JsonBodies.JSON.createObjectNode());
                }),
                new Route("/bug", "POST", Lane.WORK, call -> {
                  throw new NullPointerException("a bug");
                })));
    api.start();
    return "http://127.0.0.1:" + api.port();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JsonBodies.JSON.readTree(response.body());
  }

  @Test
  void pathsMatchExactly() throws Exception {
    String base = base(HttpLimits.defaults());
    assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(base + "/healthz?probe=1").statusCode()).isEqualTo(200);
    HttpResponse<String> longer = get(base + "/healthzXYZ");
    assertThat(longer.statusCode()).isEqualTo(404);
    assertThat(json(longer).at("/error/message").asText()).isEqualTo("no endpoint /healthzXYZ");
    assertThat(json(longer).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(json(longer).get("error").has("param")).isTrue();
    assertThat(post(base + "/echoXYZ", "{}".getBytes()).statusCode()).isEqualTo(404);
    assertThat(get(base + "/healthz/").statusCode()).isEqualTo(404);
    HttpResponse<String> wrongMethod = get(base + "/echo");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void anUnexpectedExceptionIsTheDocumentedJson500AndTheServerKeepsServing() throws Exception {
    String base = base(HttpLimits.defaults());
    HttpResponse<String> bug = post(base + "/bug", "{}".getBytes());
    assertThat(bug.statusCode()).isEqualTo(500);
    assertThat(bug.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(json(bug).at("/error/type").asText()).isEqualTo("server_error");
    assertThat(json(bug).at("/error/code").asText()).isEqualTo("internal_error");
    assertThat(json(bug).at("/error/message").asText()).startsWith("internal error 1 while serving /bug").doesNotContain("a bug");
    assertThat(post(base + "/echo", "{\"a\":1}".getBytes()).body()).isEqualTo("{\"a\":1}");
  }

  @Test
  void overlongAndInvalidUtf8AreRefused() throws Exception {
    String base = base(HttpLimits.defaults());
    // "/" as the overlong two-byte form C0 AF, inside a JSON string
    byte[] overlong = {'{', '"', 'p', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    HttpResponse<String> refused = post(base + "/echo", overlong);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).at("/error/message").asText()).startsWith("the request body is not valid UTF-8");
    byte[] surrogate = {'{', '"', 'p', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
    assertThat(post(base + "/echo", surrogate).statusCode()).isEqualTo(400);
    assertThat(post(base + "/echo", "{\"p\":\"é\"}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyLargerThanTheLimitIs413() throws Exception {
    String base = base(TIGHT);
    HttpResponse<String> big = post(base + "/echo", new byte[TIGHT.maxBodyBytes() + 1]);
    assertThat(big.statusCode()).isEqualTo(413);
  }

  /** 64 connections that trickle their headers never delay liveness, and are closed at the header deadline. */
  @Test
  void slowlorisNeitherBlocksProbesNorKeepsItsConnections() throws Exception {
    String base = base(TIGHT);
    int port = api.port();
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(3000);
        socket.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      long worst = 0;
      for (int probe = 0; probe < 5; probe++) {
        for (Socket socket : slow) {
          socket.getOutputStream().write('X');
        }
        long start = System.nanoTime();
        assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
        worst = Math.max(worst, System.nanoTime() - start);
        Thread.sleep(100);
      }
      assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofSeconds(1));
      // past the header deadline each slow connection reads end-of-stream: the server closed it
      for (Socket socket : slow) {
        assertThat(readToEnd(socket.getInputStream())).doesNotContain("200 OK");
      }
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void aBodyThatNeverCompletesIsAnsweredAtTheBodyDeadline() throws Exception {
    base(TIGHT);
    try (Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      String reply = readToEnd(socket.getInputStream());
      assertThat(reply).startsWith("HTTP/1.1 408");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  /** One worker, one queue slot: the third request is shed with 503 and Retry-After, and liveness still answers. */
  @Test
  void aFullQueueAnswers503WithRetryAfterAndLivenessStillAnswers() throws Exception {
    String base = base(TIGHT);
    CompletableFuture<HttpResponse<String>> running = client.sendAsync(slowRequest(base), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    CompletableFuture<HttpResponse<String>> queued = client.sendAsync(slowRequest(base), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    HttpResponse<String> shed = client.send(slowRequest(base), HttpResponse.BodyHandlers.ofString());
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.headers().firstValue("Retry-After")).contains("2");
    assertThat(json(shed).at("/error/code").asText()).isEqualTo("overloaded");
    assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
    release.countDown();
    assertThat(running.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(queued.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  private static HttpRequest slowRequest(String base) {
    return HttpRequest.newBuilder(URI.create(base + "/slow")).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
  }

  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      bytes.write(buffer, 0, n);
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  /** One keep-alive GET on {@code socket}; returns the response head and body as read. */
  private static String keepAliveGet(Socket socket) throws IOException {
    socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.US_ASCII).contains("\"status\":\"ok\"}")) {
      int b = in.read();
      if (b < 0) break;
      seen.write(b);
    }
    return seen.toString(StandardCharsets.US_ASCII);
  }

  /**
   * An idle connection is not closed under a client: closing it races with a request the client has
   * just sent, which then gets no byte of answer. It is answered, with {@code Connection: close}.
   */
  @Test
  void whileDrainingEveryResponseClosesItsConnectionAndAnIdleOneIsStillAnswered() throws Exception {
    String base = base(HttpLimits.defaults());
    int port = URI.create(base).getPort();
    try (Socket busy = new Socket("127.0.0.1", port); Socket idle = new Socket("127.0.0.1", port)) {
      busy.setSoTimeout(5000);
      idle.setSoTimeout(5000);
      assertThat(keepAliveGet(busy)).doesNotContainIgnoringCase("connection: close");
      assertThat(keepAliveGet(idle)).doesNotContainIgnoringCase("connection: close");
      api.drain();
      assertThat(keepAliveGet(busy)).containsIgnoringCase("connection: close");
      assertThat(busy.getInputStream().read()).as("the server closed the connection after that response").isEqualTo(-1);
      Thread.sleep(1500);
      assertThat(keepAliveGet(idle)).as("a request on the connection left idle across the drain")
          .startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      assertThat(idle.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void awaitingNoRequestsWaitsForTheOneInFlightAndItIsAnswered() throws Exception {
    String base = base(HttpLimits.defaults());
    CompletableFuture<HttpResponse<String>> running = client.sendAsync(slowRequest(base), HttpResponse.BodyHandlers.ofString());
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (api.requestsInFlight() == 0 && System.nanoTime() < until) Thread.sleep(10);
    assertThat(api.requestsInFlight()).as("the slow request reached the server").isOne();
    api.drain();
    assertThat(api.awaitNoRequests(Duration.ofMillis(300))).as("still in flight").isFalse();
    CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      release.countDown();
    });
    assertThat(api.awaitNoRequests(Duration.ofSeconds(10))).isTrue();
    assertThat(api.requestsInFlight()).isZero();
    api.close();
    HttpResponse<String> answered = running.get(5, TimeUnit.SECONDS);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.headers().firstValue("Connection")).contains("close");
  }
}
