package io.dilemma.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.FileHashes;
import io.dilemma.worker.model.format.ShardManifest;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.it.TinyModel;
import io.dilemma.worker.serving.plan.ModelSourceResolver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The head refuses a tokenizer whose files differ from what the plan's pinned manifest says: the
 * plan pins the manifest ({@code manifestSha256}), the manifest pins {@code vocab.json} and {@code
 * merges.txt}. Before, the head loaded them without a check.
 */
class HeadTokenizerIntegrityTest {
  @TempDir Path dir;
  Path model;

  @BeforeEach
  void copyOfTheTinyModel() throws Exception {
    model = dir.resolve("opt-tiny");
    Path source = TinyModel.dir();
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, model.resolve(source.relativize(file).toString()));
      }
    }
  }

  private ShardPlan headPlan() throws Exception {
    String manifestSha = FileHashes.sha256(model.resolve(ShardManifest.FILE_NAME));
    return new ShardPlan(
        1, "integrity", null, "p1", 0, 1, "n", new ModelSource("opt-tiny", model.toUri().toString(), manifestSha, null),
        0, TinyModel.LAYERS - 1, Collections.nCopies(TinyModel.LAYERS, 32), true, true, null, null, null, true,
        ServingLimits.defaults());
  }

  private ShardWorker start(ShardPlan plan) throws Exception {
    Path resolved = new ModelSourceResolver(dir, dir.resolve("cache")).resolve(plan);
    return ShardWorker.start(plan, resolved, new ShardWorker.Listeners(
        new InetSocketAddress("127.0.0.1", 0), Optional.empty(), HttpLimits.defaults(), Optional.empty()));
  }

  @Test
  void theHeadStartsWithTheTokenizerItsManifestPins() throws Exception {
    try (ShardWorker head = start(headPlan())) {
      assertThat(head.role()).isInstanceOf(ShardRole.Head.class);
    }
  }

  @Test
  void aSwappedVocabularyStopsTheHeadNamingTheFile() throws Exception {
    ShardPlan plan = headPlan();
    Files.writeString(model.resolve("vocab.json"), "{\"<s>\": 0, \"a\": 1}");
    assertThatThrownBy(() -> start(plan))
        .isInstanceOf(ModelException.class)
        .hasMessageStartingWith(model.resolve("vocab.json") + ": sha256 ")
        .hasMessageContaining("does not match the manifest's");
  }

  @Test
  void swappedMergesStopTheHeadToo() throws Exception {
    ShardPlan plan = headPlan();
    Files.writeString(model.resolve("merges.txt"), "#version: 0.2\n");
    assertThatThrownBy(() -> start(plan)).hasMessageStartingWith(model.resolve("merges.txt") + ": sha256 ");
  }
}
