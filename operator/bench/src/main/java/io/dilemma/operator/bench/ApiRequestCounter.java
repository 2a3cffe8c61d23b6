package io.dilemma.operator.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Counts the requests one client sends, by verb and resource ("apply deployments", "get
 * secrets", "patch llmdeployments/status"): the operator's API round trips, apart from the bench's
 * and the simulated kubelet's, which use another client.
 */
public final class ApiRequestCounter implements Interceptor {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /** A client of its own on {@code kubeConfigYaml}, whose requests this counter sees. */
  public KubernetesClient client(String kubeConfigYaml) {
    return client(Config.fromKubeconfig(kubeConfigYaml));
  }

  /** A client of its own with {@code config} (another client's credentials), whose requests this counter sees. */
  public KubernetesClient client(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("bench-request-counter", this))
        .build();
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    counts.computeIfAbsent(describe(request.method(), request.uri().getPath(), request.uri().getQuery(),
        request.header("Content-Type")), k -> new LongAdder()).increment();
  }

  /** Counts so far, by verb and resource. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** What was sent between two snapshots, most frequent first: "12 apply deployments, 3 get secrets". */
  public static String difference(Map<String, Long> before, Map<String, Long> after) {
    return after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  public static long total(Map<String, Long> before, Map<String, Long> after) {
    return after.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
  }

  /**
   * "apply deployments" for a PATCH of /apis/apps/v1/namespaces/x/deployments/y with the
   * apply-patch content type; the resource is the path's plural, with a subresource after a slash.
   */
  static String describe(String method, String path, String query, String contentType) {
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    // /api/v1/... or /apis/group/version/...
    int i = parts.length > 0 && parts[0].equals("api") ? 2 : 3;
    if (i < parts.length && parts[i].equals("namespaces") && i + 2 < parts.length) i += 2;
    String resource = i < parts.length ? parts[i] : path;
    boolean named = i + 1 < parts.length;
    if (i + 2 < parts.length) resource += "/" + parts[i + 2];
    String verb =
        switch (method) {
          case "GET" -> query != null && query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "DELETE" -> "delete";
          case "PATCH" -> contentType != null && contentType.contains("apply-patch") ? "apply" : "patch";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return verb + " " + resource;
  }
}
