package io.dilemma.worker.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelException;
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
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A read-only HTTP model store: what an {@code http://} model source of an LLMDeployment points
 * at. Serves {@code /<model>/manifest.json} and the files that manifest lists, nothing else, after
 * checking every file against the manifest's sha256 at start-up: a store with a damaged file
 * refuses to start rather than hand it out (the workers check the hashes again after download).
 */
@Command(
    name = "model-store",
    description = "Serve model directories over HTTP for http:// model sources: /<model>/manifest.json and the files it lists.")
public final class ModelStoreCommand extends DilemmaCommand {
  @Option(names = "--dir", required = true, description = "directory holding one sub-directory per model, each with a manifest.json")
  Path dir;

  @Mixin BindOption bind;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE})")
  int port;

  @Override
  protected int execute() throws IOException, ModelException, InterruptedException {
    Map<String, Path> files = verifiedFiles(dir);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind.address, port), 64);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + bind.address + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", exchange -> serve(exchange, files));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    out().printf("model store: %d files of %s verified, serving on %s:%d%n", files.size(), dir, bind.address, port);
    out().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1), "shutdown"));
    Thread.currentThread().join();
    return ExitCode.OK;
  }

  /** URL path → file, for every model's manifest and listed file, each checked against its hash. */
  static Map<String, Path> verifiedFiles(Path root) throws IOException, ModelException {
    if (!Files.isDirectory(root)) throw new ModelException(root + ": not a directory");
    Map<String, Path> files = new TreeMap<>();
    try (var models = Files.list(root)) {
      for (Path model : models.sorted().toList()) {
        Path manifestFile = model.resolve(ShardManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) continue;
        ShardManifest manifest = ContractJson.read(manifestFile, ShardManifest.class);
        if (manifest.sha256() == null || manifest.sha256().isEmpty()) {
          throw new ModelException(manifestFile + ": no sha256 recorded for the model's files");
        }
        String name = model.getFileName().toString();
        files.put("/" + name + "/" + ShardManifest.FILE_NAME, manifestFile);
        for (var entry : manifest.sha256().entrySet()) {
          Path file = model.resolve(entry.getKey()).normalize();
          if (!file.startsWith(model)) {
            throw new ModelException(manifestFile + ": file path " + entry.getKey() + " leaves the model directory");
          }
          if (!Files.isRegularFile(file)) {
            throw new ModelException(manifestFile + ": listed file " + entry.getKey() + " is missing");
          }
          String actual = FileHashes.sha256(file);
          if (!actual.equalsIgnoreCase(entry.getValue())) {
            throw new ModelException(file + ": sha256 " + actual + " does not match the manifest's " + entry.getValue());
          }
          files.put("/" + name + "/" + entry.getKey(), file);
        }
      }
    }
    if (files.isEmpty()) throw new ModelException(root + ": no <model>/manifest.json below it");
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
