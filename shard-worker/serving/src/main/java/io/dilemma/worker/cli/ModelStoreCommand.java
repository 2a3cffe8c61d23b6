package io.dilemma.worker.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.format.FileHashes;
import io.dilemma.worker.model.format.ShardManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A read-only HTTP model store: what an {@code http://} model source of an LLMDeployment points
 * at. Serves {@code /<model>/manifest.json} and the files that manifest lists, nothing else, after
 * checking every file against the manifest's sha256 at start-up: a store with a damaged file
 * refuses to start rather than hand it out (the workers check the hashes again after download).
 */
@Command(
    name = "model-store",
    mixinStandardHelpOptions = true,
    description = "Serve model directories over HTTP for http:// model sources: /<model>/manifest.json and the files it lists.")
public final class ModelStoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "directory holding one sub-directory per model, each with a manifest.json")
  Path dir;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "interface to listen on (default ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE})")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Path> files;
    try {
      files = verifiedFiles(dir);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: " + dir + ": " + e.getMessage());
      return 1;
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
      return 1;
    }
    server.createContext("/", exchange -> serve(exchange, files));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    spec.commandLine().getOut().printf("model store: %d files of %s verified, serving on %s:%d%n", files.size(), dir, bind, port);
    spec.commandLine().getOut().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1), "shutdown"));
    Thread.currentThread().join();
    return 0;
  }

  /** URL path → file, for every model's manifest and listed file, each checked against its hash. */
  static Map<String, Path> verifiedFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) throw new IllegalArgumentException(root + ": not a directory");
    Map<String, Path> files = new TreeMap<>();
    try (var models = Files.list(root)) {
      for (Path model : models.sorted().toList()) {
        Path manifestFile = model.resolve(ShardManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) continue;
        ShardManifest manifest = ContractJson.read(manifestFile, ShardManifest.class);
        if (manifest.sha256() == null || manifest.sha256().isEmpty()) {
          throw new IllegalArgumentException(manifestFile + ": no sha256 recorded for the model's files");
        }
        String name = model.getFileName().toString();
        files.put("/" + name + "/" + ShardManifest.FILE_NAME, manifestFile);
        for (var entry : manifest.sha256().entrySet()) {
          Path file = model.resolve(entry.getKey()).normalize();
          if (!file.startsWith(model)) {
            throw new IllegalArgumentException(manifestFile + ": file path " + entry.getKey() + " leaves the model directory");
          }
          if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(manifestFile + ": listed file " + entry.getKey() + " is missing");
          }
          String actual = FileHashes.sha256(file);
          if (!actual.equalsIgnoreCase(entry.getValue())) {
            throw new IllegalArgumentException(file + ": sha256 " + actual + " does not match the manifest's " + entry.getValue());
          }
          files.put("/" + name + "/" + entry.getKey(), file);
        }
      }
    }
    if (files.isEmpty()) throw new IllegalArgumentException(root + ": no <model>/manifest.json below it");
    return files;
  }

  private static void serve(HttpExchange exchange, Map<String, Path> files) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        text(exchange, 405, "GET or HEAD only\n");
        return;
      }
      if (path.equals("/healthz")) {
        text(exchange, 200, "ok\n");
        return;
      }
      Path file = files.get(path);
      if (file == null) {
        text(exchange, 404, path + ": not in any manifest\n");
        return;
      }
      long size = Files.size(file);
      exchange.getResponseHeaders().set("Content-Type", path.endsWith(".json") ? "application/json" : "application/octet-stream");
      if (method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, size);
      try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
        in.transferTo(out);
      }
    }
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
