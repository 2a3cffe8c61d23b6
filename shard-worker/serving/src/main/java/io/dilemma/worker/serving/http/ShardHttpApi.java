package io.dilemma.worker.serving.http;

import io.dilemma.worker.serving.http.Route.Lane;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a shard-worker: {@code /healthz}, {@code /readyz} and {@code /metrics} on every
 * shard; on the head also the OpenAI-compatible API.
 *
 * <p>Paths match exactly. Requests are parsed without blocking a thread, so slow clients cost a
 * connection only; a connection that does not send its first request's headers in time is closed.
 * Liveness answers on the server's own threads, readiness and metrics on probe threads, completions
 * on a bounded pool whose full queue answers 503 with {@code Retry-After}.
 */
public final class ShardHttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHttpApi.class);
  private static final int PROBE_THREADS = 2;
  private static final int PROBE_QUEUE = 32;

  private final HttpLimits limits;
  private final Map<String, Route> routes = new HashMap<>();
  private final Server server;
  private final ServerConnector connector;
  private final ExecutorService probeLane;
  private final ExecutorService workLane;
  private final ScheduledThreadPoolExecutor timers;
  private final Set<Connection> awaitingFirstRequest = ConcurrentHashMap.newKeySet();
  private final AtomicLong errorIds = new AtomicLong();
  private final InFlightRequests inFlight = new InFlightRequests();
  private volatile boolean draining;

  /** Every shard has the probes; the head also the OpenAI API. */
  public ShardHttpApi(InetSocketAddress address, HttpLimits limits, Probes probes, Optional<OpenAiApi> openAi) {
    this(address, limits, routesOf(probes, openAi));
  }

  private static List<Route> routesOf(Probes probes, Optional<OpenAiApi> openAi) {
    List<Route> all = new java.util.ArrayList<>(probes.routes());
    openAi.ifPresent(api -> all.addAll(api.routes()));
    return all;
  }

  ShardHttpApi(InetSocketAddress address, HttpLimits limits, List<Route> served) {
    this.limits = limits;
    for (Route route : served) {
      if (routes.put(route.path(), route) != null) {
        throw new IllegalArgumentException("two routes for " + route.path());
      }
    }
    this.probeLane = lane("http-probe", PROBE_THREADS, PROBE_QUEUE);
    this.workLane = lane("http-work", limits.workers(), limits.queuedRequests());
    this.timers = new ScheduledThreadPoolExecutor(1, daemon("http-timer"));
    timers.setRemoveOnCancelPolicy(true);

    QueuedThreadPool threads = new QueuedThreadPool(24, 4);
    threads.setName("http-io");
    threads.setDaemon(true);
    this.server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.addBean(new FirstRequestDeadline());
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    server.setHandler(new Dispatcher());
  }

  public void start() throws java.io.IOException {
    try {
      server.start();
    } catch (java.io.IOException e) {
      close();
      throw e;
    } catch (Exception e) {
      close();
      throw new java.io.IOException(e.getMessage(), e);
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  /**
   * The pod is stopping: from now on every response asks its client to close the connection, so a
   * keep-alive client's next request opens a connection the Service routes to the new head.
   *
   * <p>Idle connections are left open on purpose. Closing one races with a client that has just
   * sent a request on it, which then fails with no byte of answer (one in 7,408 requests of the
   * 64-session replan run did). A response that says {@code Connection: close} is the only close
   * a client cannot be caught by; idle ones end when the server stops.
   */
  public void drain() {
    if (draining) return;
    draining = true;
    LOG.info("draining: responses close their connections from now on");
  }

  /**
   * Waits until no request is in flight, at most {@code bound}, serving meanwhile; true when none
   * is left. Call {@link #drain()} first, or keep-alive clients keep the count up.
   */
  public boolean awaitNoRequests(Duration bound) throws InterruptedException {
    boolean none = inFlight.awaitNone(bound);
    if (!none) LOG.warn("{} requests still in flight after {} ms; stopping anyway", inFlight.count(), bound.toMillis());
    return none;
  }

  /** Requests whose headers have arrived and whose response has not ended. */
  public int requestsInFlight() {
    return inFlight.count();
  }

  public boolean draining() {
    return draining;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server: {}", e.toString());
    }
    workLane.shutdownNow();
    probeLane.shutdownNow();
    timers.shutdownNow();
  }

  /** Runs on the server's threads once a request's headers are in: never blocks. */
  private final class Dispatcher extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback untracked) {
      Callback callback = inFlight.track(untracked);
      awaitingFirstRequest.remove(request.getConnectionMetaData().getConnection());
      if (draining) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      }
      String path = request.getHttpURI().getPath();
      Route route = routes.get(path);
      if (route == null) {
        answer(response, callback, new ApiError(404, "invalid_request_error", null, "not_found", "no endpoint " + path, null));
        return true;
      }
      if (!route.method().equals(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, route.method());
        answer(response, callback, new ApiError(405, "invalid_request_error", null, "method_not_allowed", path + " accepts " + route.method() + " only", null));
        return true;
      }
      HttpCall call = new HttpCall(request, response, callback, () -> draining);
      switch (route.lane()) {
        case INLINE -> serve(call, route);
        case PROBE -> submit(probeLane, call, route, response, callback);
        case WORK -> readBodyThenSubmit(request, response, callback, call, route);
      }
      return true;
    }
  }

  private void readBodyThenSubmit(Request request, Response response, Callback callback, HttpCall call, Route route) {
    long declared = request.getLength();
    if (declared > limits.maxBodyBytes()) {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      answer(response, callback, tooLarge());
      return;
    }
    ScheduledFuture<?> deadline =
        timers.schedule(
            () -> {
              if (call.claim()) {
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                answer(response, callback, new ApiError(408, "invalid_request_error", null, "request_timeout",
                    "the request body did not arrive within " + limits.bodyTimeout().toMillis() + " ms", null));
              }
            },
            limits.bodyTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    Content.Source.asByteArrayAsync(request, limits.maxBodyBytes())
        .whenComplete(
            (bytes, failure) -> {
              deadline.cancel(false);
              if (!call.claim()) {
                return;
              }
              if (failure != null) {
                if (declared < 0 && String.valueOf(failure.getMessage()).contains("too large")) {
                  response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                  answer(response, callback, tooLarge());
                } else {
                  callback.failed(failure);
                }
                return;
              }
              call.body(bytes);
              submit(workLane, call, route, response, callback);
            });
  }

  private ApiError tooLarge() {
    return new ApiError(413, "invalid_request_error", null, "request_too_large",
        "the request body is larger than " + limits.maxBodyBytes() + " bytes", null);
  }

  private void submit(ExecutorService lane, HttpCall call, Route route, Response response, Callback callback) {
    try {
      lane.execute(() -> serve(call, route));
    } catch (RejectedExecutionException full) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(limits.retryAfterSeconds()));
      answer(response, callback, new ApiError(503, "server_error", null, "overloaded",
          route.path() + " is at capacity (every worker busy, the queue full); retry later", null));
    }
  }

  /** Every outcome of an endpoint becomes a response: its answer, its {@link ApiError}, or a JSON 500. */
  private void serve(HttpCall call, Route route) {
    try {
      route.endpoint().serve(call);
      if (!call.finished()) {
        throw new IllegalStateException(route.path() + " returned without answering");
      }
    } catch (ApiError error) {
      reply(call, error);
    } catch (java.io.IOException clientGone) {
      LOG.debug("client went away from {}", route.path(), clientGone);
      call.abort(clientGone);
    } catch (RuntimeException | Error bug) {
      long id = errorIds.incrementAndGet();
      LOG.error("request {} to {} failed", id, route.path(), bug);
      reply(call, new ApiError(500, "server_error", null, "internal_error",
          "internal error " + id + " while serving " + route.path() + "; the shard's log has the details", null));
      if (bug instanceof Error && !(bug instanceof StackOverflowError)) {
        throw (Error) bug;
      }
    }
  }

  private static void reply(HttpCall call, ApiError error) {
    if (call.finished()) {
      return;
    }
    if (call.committed()) {
      call.abort(new IllegalStateException(error.getMessage()));
      return;
    }
    try {
      if (error.status() == 503) {
        call.header(HttpHeader.RETRY_AFTER, "1");
      }
      call.sendError(error);
    } catch (java.io.IOException | RuntimeException e) {
      call.abort(e);
    }
  }

  /** Answers without blocking the calling thread (the server's own, which must never wait on a client). */
  private static void answer(Response response, Callback callback, ApiError error) {
    byte[] bytes = JsonBodies.write(error.body());
    response.setStatus(error.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** Closes connections that have not delivered a complete request head in time (slowloris). */
  private final class FirstRequestDeadline implements Connection.Listener {
    @Override
    public void onOpened(Connection connection) {
      awaitingFirstRequest.add(connection);
      timers.schedule(
          () -> {
            if (awaitingFirstRequest.remove(connection)) {
              connection.getEndPoint().close();
            }
          },
          limits.headerTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
      awaitingFirstRequest.remove(connection);
    }
  }

  private static ExecutorService lane(String name, int threads, int queue) {
    return new ThreadPoolExecutor(
        threads, threads, 0, TimeUnit.MILLISECONDS,
        queue == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
        daemon(name));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
