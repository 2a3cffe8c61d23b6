package io.dilemma.worker.serving.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.format.FileHashes;
import io.dilemma.worker.model.format.ShardManifest.LayerParts;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.format.ShardManifest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceResolverTest {
  @TempDir Path models;
  @TempDir Path cache;

  /** A model directory whose "graphs" are small text files: the resolver only moves and hashes them. */
  private Path fakeModel() throws Exception {
    Path dir = Files.createDirectories(models.resolve("claim/opt"));
    Map<String, String> hashes = new LinkedHashMap<>();
    List<String> files = List.of("embedding-b32.onnx", "head-b32.onnx", "layers/layer-000-b8.onnx", "layers/layer-001-b4.onnx");
    for (String file : files) {
      Files.createDirectories(dir.resolve(file).getParent());
      Files.writeString(dir.resolve(file), "content of " + file);
      hashes.put(file, FileHashes.sha256(dir.resolve(file)));
    }
    ShardManifest manifest =
        new ShardManifest(
            1, "opt", new ModelDimensions(2, 8, 8, 2, 16, 32, 16, true), 8,
            new Part(32, files.get(0)), new Part(32, files.get(1)),
            List.of(new LayerParts(0, List.of(new Part(8, files.get(2)))), new LayerParts(1, List.of(new Part(4, files.get(3))))),
            null, hashes);
    Files.writeString(dir.resolve(ShardManifest.FILE_NAME), ContractJson.write(manifest));
    return dir;
  }

  private static ShardPlan lastShard(String uri, String manifestSha) {
    return new ShardPlan(
        1, "d", null, "p", 1, 2, "n", new ModelSource("opt", uri, manifestSha, null),
        1, 1, List.of(4), false, true, null, null, null, false, null);
  }

  @Test
  void resolvesFileAndPvcSources() throws Exception {
    Path dir = fakeModel();
    ModelSourceResolver resolver = new ModelSourceResolver(models, cache);
    assertThat(resolver.resolve(lastShard(dir.toUri().toString(), null))).isEqualTo(dir);
    assertThat(resolver.resolve(lastShard("pvc://claim/opt", null))).isEqualTo(dir);
    assertThatThrownBy(() -> resolver.resolve(lastShard("pvc://claim/opt", "00ff")))
        .hasMessageContaining("does not match the plan's 00ff");
    assertThatThrownBy(() -> resolver.resolve(lastShard("s3://bucket/opt", null)))
        .hasMessageContaining("use file://, pvc:// or http(s)://");
  }

  @Test
  void downloadsOnlyTheFilesOfItsShardAndChecksTheirHashes() throws Exception {
    Path dir = fakeModel();
    List<String> requested = new ArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath().substring("/opt/".length());
      requested.add(path);
      byte[] body = Files.readAllBytes(dir.resolve(path));
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/opt";
      String manifestSha = FileHashes.sha256(dir.resolve(ShardManifest.FILE_NAME));
      Path local = new ModelSourceResolver(models, cache).resolve(lastShard(base, manifestSha));
      assertThat(requested).containsExactly("manifest.json", "layers/layer-001-b4.onnx", "head-b32.onnx");
      assertThat(Files.readString(local.resolve("head-b32.onnx"))).isEqualTo("content of head-b32.onnx");

      requested.clear();
      new ModelSourceResolver(models, cache).resolve(lastShard(base, manifestSha));
      assertThat(requested).as("verified files are reused").containsExactly("manifest.json");

      Files.writeString(dir.resolve("layers/layer-001-b4.onnx"), "changed on the server");
      Files.writeString(local.resolve("layers/layer-001-b4.onnx"), "stale");
      assertThatThrownBy(() -> new ModelSourceResolver(models, cache).resolve(lastShard(base, manifestSha)))
          .isInstanceOf(PlanException.class)
          .hasMessageContaining("layer-001-b4.onnx")
          .hasMessageContaining("does not match");
    } finally {
      server.stop(0);
    }
  }
}
