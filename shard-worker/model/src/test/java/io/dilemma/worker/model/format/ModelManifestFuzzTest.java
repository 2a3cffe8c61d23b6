package io.dilemma.worker.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ShardManifest.LayerParts;
import io.dilemma.worker.model.format.ShardManifest.Part;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker loads whatever {@code manifest.json} its model source serves: any bytes either open as
 * a model directory whose every lookup a worker makes answers or fails with a one-line {@link
 * ModelException}, or are refused with one. The directory holds no files, so no lookup of a file may
 * succeed either. A normal build replays the seeds in
 * src/test/resources/.../ModelManifestFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes.
 */
class ModelManifestFuzzTest {
  private static final Path ROOT = emptyDirectory();

  private static Path emptyDirectory() {
    try {
      Path dir = Files.createTempDirectory("fuzz-model");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"\"formatVersion\"", "\"dimensions\"", "\"layers\"", "\"variants\"", "\"sha256\"", "\"tokenizer\"",
      "\"vocab\"", "\"merges\"", "\"embedding\"", "\"head\"", "\"file\"", "\"bits\"", "\"index\"", "../", "null"})
  void opensOrRejectsAnyManifest(byte[] input) {
    ModelDirectory directory;
    try {
      directory = ModelDirectory.of(ROOT, input);
    } catch (ModelException refused) {
      assertThat(refused.getMessage()).startsWith(ROOT.resolve(ShardManifest.FILE_NAME) + ": ");
      assertOneLine(refused);
      return;
    }
    ShardManifest manifest = directory.manifest();
    assertThat(directory.widestBits()).hasSize(manifest.dimensions().layers());
    for (int layer = 0; layer < manifest.layers().size(); layer++) {
      int index = layer;
      LayerParts parts = lookUp(() -> directory.layerParts(index));
      for (Part part : parts.variants()) {
        lookUp(() -> directory.layer(index, part.bits()));
        assertNoFile(() -> directory.verified(part));
      }
    }
    if (manifest.embedding() != null) {
      assertNoFile(() -> directory.verified(manifest.embedding()));
    }
    if (manifest.head() != null) {
      assertNoFile(() -> directory.verified(manifest.head()));
    }
    if (manifest.tokenizer() != null) {
      assertNoFile(directory::tokenizer);
    }
  }

  @FunctionalInterface
  private interface Lookup<T> {
    T get() throws ModelException;
  }

  private static <T> T lookUp(Lookup<T> lookup) {
    try {
      return lookup.get();
    } catch (ModelException e) {
      throw new AssertionError("a lookup the manifest's own entries promise failed: " + e.getMessage(), e);
    }
  }

  private static void assertNoFile(Lookup<?> lookup) {
    assertThatThrownBy(lookup::get).isInstanceOfSatisfying(ModelException.class, ModelManifestFuzzTest::assertOneLine);
  }

  /** Names a file of the directory (the manifest, or the missing file) on one line. */
  private static void assertOneLine(ModelException e) {
    assertThat(e.getMessage()).startsWith(ROOT.toString()).doesNotContain("\n", "\r");
  }
}
