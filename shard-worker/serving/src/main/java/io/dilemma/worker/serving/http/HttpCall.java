package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request whose body has fully arrived, answered from a worker thread with blocking writes.
 * Exactly one party finishes it: the endpoint, the dispatcher's error path, or a timeout.
 */
final class HttpCall {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final BooleanSupplier draining;
  private byte[] body = new byte[0];

  /** {@code draining} is asked as the response commits, so a request that began before the drain closes too. */
  HttpCall(Request request, Response response, Callback callback, BooleanSupplier draining) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.draining = draining;
  }

  String path() {
    return request.getHttpURI().getPath();
  }

  /** The first of the body reader and the body timeout to call this wins. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  void body(byte[] bytes) {
    this.body = bytes;
  }

  JsonNode json() throws ApiError {
    return JsonBodies.parse(body);
  }

  boolean committed() {
    return response.isCommitted();
  }

  void header(HttpHeader name, String value) {
    response.getHeaders().put(name, value);
  }

  void sendJson(int status, JsonNode json) throws IOException {
    send(status, "application/json", JsonBodies.write(json));
  }

  void sendError(ApiError error) throws IOException {
    sendJson(error.status(), error.body());
  }

  void sendText(int status, String contentType, String text) throws IOException {
    send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  private void send(int status, String contentType, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    closeIfDraining();
    Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
    succeed();
  }

  /** Sends the status and headers of an event stream; follow with {@link #writeChunk} and {@link #endStream}. */
  void startStream(String contentType) throws IOException {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    closeIfDraining();
    Content.Sink.write(response, false, ByteBuffer.allocate(0));
  }

  private void closeIfDraining() {
    if (draining.getAsBoolean()) {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }
  }

  void writeChunk(String text) throws IOException {
    Content.Sink.write(response, false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  void endStream() throws IOException {
    Content.Sink.write(response, true, ByteBuffer.allocate(0));
    succeed();
  }

  /** Gives up on the exchange: the connection is closed, since its state is unknown. */
  void abort(Throwable cause) {
    if (finished.compareAndSet(false, true)) {
      callback.failed(cause);
    }
  }

  boolean finished() {
    return finished.get();
  }

  private void succeed() {
    if (finished.compareAndSet(false, true)) {
      callback.succeeded();
    }
  }
}
