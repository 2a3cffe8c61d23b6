package io.dilemma.worker.serving.plan;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.worker.model.format.FileHashes;
import io.dilemma.worker.model.format.ShardManifest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds the local model directory of a shard plan's model source:
 *
 * <ul>
 *   <li>{@code file:///path}: the directory itself;
 *   <li>{@code pvc://claim/path}: {@code <pvcRoot>/claim/path}, where the operator mounts claims;
 *   <li>{@code http(s)://base}: downloads {@code manifest.json} and the files this shard loads into
 *       {@code <cacheDir>/<manifest sha256>/}, checking every hash, and reuses verified files.
 * </ul>
 *
 * The shard runner checks the loaded files against the manifest again; the plan's {@code
 * manifestSha256} pins the manifest itself.
 */
public final class ModelSourceResolver {
  private final Path pvcRoot;
  private final Path cacheDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();

  public ModelSourceResolver(Path pvcRoot, Path cacheDir) {
    this.pvcRoot = pvcRoot;
    this.cacheDir = cacheDir;
  }

  public Path resolve(ShardPlan plan) throws PlanException {
    ModelSource source = plan.model();
    URI uri;
    try {
      uri = URI.create(source.uri());
    } catch (IllegalArgumentException e) {
      throw new PlanException("model.uri '" + source.uri() + "' is not a URI");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    Path dir =
        switch (scheme) {
          case "file" -> Path.of(uri);
          case "pvc" -> pvcRoot.resolve(uri.getAuthority() + uri.getPath());
          case "http", "https" -> download(uri, plan);
          default -> throw new PlanException("model.uri '" + source.uri() + "': use file://, pvc:// or http(s)://");
        };
    Path manifest = dir.resolve(ShardManifest.FILE_NAME);
    if (!Files.isRegularFile(manifest)) {
      throw new PlanException("model.uri '" + source.uri() + "': no " + ShardManifest.FILE_NAME + " in " + dir);
    }
    verify(manifest, source.manifestSha256(), "manifest");
    if (source.fileSha256() != null) {
      for (Map.Entry<String, String> file : source.fileSha256().entrySet()) {
        verify(dir.resolve(file.getKey()), file.getValue(), file.getKey());
      }
    }
    return dir;
  }

  private Path download(URI base, ShardPlan plan) throws PlanException {
    String root = base.toString().endsWith("/") ? base.toString() : base + "/";
    try {
      Path staging = Files.createDirectories(cacheDir);
      Path manifestFile = Files.createTempFile(staging, "manifest", ".json");
      fetch(URI.create(root + ShardManifest.FILE_NAME), manifestFile);
      String manifestHash = FileHashes.sha256(manifestFile);
      ModelSource source = plan.model();
      if (source.manifestSha256() != null && !source.manifestSha256().equalsIgnoreCase(manifestHash)) {
        throw new PlanException(root + ShardManifest.FILE_NAME + ": sha256 " + manifestHash + " does not match model.manifestSha256");
      }
      Path dir = Files.createDirectories(staging.resolve(manifestHash));
      Files.move(manifestFile, dir.resolve(ShardManifest.FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
      ShardManifest manifest = ContractJson.read(dir.resolve(ShardManifest.FILE_NAME), ShardManifest.class);
      for (String file : filesFor(plan, manifest)) {
        String expected = manifest.sha256() == null ? null : manifest.sha256().get(file);
        if (expected == null) {
          throw new PlanException(root + ShardManifest.FILE_NAME + ": no sha256 recorded for " + file);
        }
        Path target = dir.resolve(file).normalize();
        if (!target.startsWith(dir)) {
          throw new PlanException(root + ShardManifest.FILE_NAME + ": file path " + file + " leaves the model directory");
        }
        if (Files.isRegularFile(target) && FileHashes.sha256(target).equalsIgnoreCase(expected)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        fetch(URI.create(root + file), partial);
        verify(partial, expected, root + file);
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return dir;
    } catch (IOException e) {
      throw new PlanException("model.uri '" + base + "': download failed: " + e.getMessage());
    }
  }

  /** The manifest entries this shard loads: its layers at their bits, the embedding and tokenizer on the head, the LM head on the last. */
  private static Set<String> filesFor(ShardPlan plan, ShardManifest manifest) throws PlanException {
    Set<String> files = new LinkedHashSet<>();
    if (plan.head()) {
      files.add(manifest.embedding().file());
      if (manifest.tokenizer() != null) {
        files.add(manifest.tokenizer().vocab());
        files.add(manifest.tokenizer().merges());
      }
    }
    for (int layer = plan.firstLayer(); layer >= 0 && layer <= plan.lastLayer(); layer++) {
      int bits = plan.layerBits().get(layer - plan.firstLayer());
      if (layer >= manifest.layers().size()) {
        throw new PlanException("the model has " + manifest.layers().size() + " layers, the plan asks for layer " + layer);
      }
      int index = layer;
      files.add(
          manifest.layers().get(layer).atBits(bits)
              .orElseThrow(() -> new PlanException("the model has no " + bits + "-bit file for layer " + index))
              .file());
    }
    if (plan.lmHead()) {
      files.add(manifest.head().file());
    }
    return files;
  }

  private void fetch(URI uri, Path target) throws IOException, PlanException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build();
    HttpResponse<Path> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofFile(target));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (response.statusCode() != 200) {
      Files.deleteIfExists(target);
      throw new PlanException(uri + ": HTTP " + response.statusCode());
    }
  }

  private static void verify(Path file, String expected, String what) throws PlanException {
    if (expected == null) {
      return;
    }
    String actual;
    try {
      actual = FileHashes.sha256(file);
    } catch (IOException e) {
      throw new PlanException(file + ": cannot read " + what + ": " + e.getMessage());
    }
    if (!actual.equalsIgnoreCase(expected)) {
      throw new PlanException(file + ": sha256 " + actual + " of " + what + " does not match the plan's " + expected);
    }
  }
}
