package io.dilemma.worker.model.format;

import io.dilemma.contract.ContractJson;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ShardManifest.LayerParts;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** A model directory on disk, read through its manifest; every file is hash-checked before use. */
public final class ModelDirectory {
  private final Path root;
  private final ShardManifest manifest;

  private ModelDirectory(Path root, ShardManifest manifest) {
    this.root = root;
    this.manifest = manifest;
  }

  public static ModelDirectory open(Path root) throws ModelException {
    Path file = root.resolve(ShardManifest.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": no model manifest here (create one with `synth`, `import` or `pack`)");
    }
    try {
      return of(root, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + firstLine(e));
    }
  }

  /**
   * The directory {@code root} as described by the manifest bytes {@code json}: everything a worker
   * later looks up in the manifest is checked here, so a manifest that parses never fails a worker
   * with anything but a {@link ModelException} naming the file and the entry.
   */
  static ModelDirectory of(Path root, byte[] json) throws ModelException {
    Path file = root.resolve(ShardManifest.FILE_NAME);
    ShardManifest manifest;
    try {
      manifest = ContractJson.mapper().readValue(json, ShardManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new ModelException(file + ": not a valid model manifest: " + firstLine(e));
    }
    if (manifest == null) {
      throw new ModelException(file + ": not a valid model manifest: empty");
    }
    if (manifest.formatVersion() > ShardManifest.FORMAT_VERSION) {
      throw new ModelException(
          file + ": format version " + manifest.formatVersion() + " is newer than this shard-worker reads (up to "
              + ShardManifest.FORMAT_VERSION + "): run a newer shard-worker, or re-create the directory with this one's `synth`, `import` or `pack`");
    }
    if (manifest.formatVersion() < ShardManifest.OLDEST_READABLE_FORMAT_VERSION) {
      throw new ModelException(
          file + ": format version " + manifest.formatVersion() + " is no longer supported (oldest "
              + ShardManifest.OLDEST_READABLE_FORMAT_VERSION + "): re-create the directory with `synth`, `import` or `pack`");
    }
    if (manifest.dimensions() == null || manifest.layers() == null || manifest.sha256() == null) {
      throw new ModelException(file + ": manifest lacks dimensions, layers or sha256");
    }
    if (manifest.layers().size() != manifest.dimensions().layers()) {
      throw new ModelException(
          file + ": lists " + manifest.layers().size() + " layers but the model has " + manifest.dimensions().layers());
    }
    ModelDirectory directory = new ModelDirectory(root, manifest);
    directory.checkEntries();
    return directory;
  }

  /** Every layer has its index and at least one file; every listed file lies inside the directory. */
  private void checkEntries() throws ModelException {
    for (int index = 0; index < manifest.layers().size(); index++) {
      LayerParts parts = manifest.layers().get(index);
      if (parts == null || parts.index() != index || parts.variants() == null || parts.variants().isEmpty()) {
        throw new ModelException(manifestFile() + ": entry for layer " + index + " is missing or lists no files");
      }
      for (Part part : parts.variants()) {
        checkPart(part, "layer " + index);
      }
    }
    if (manifest.embedding() != null) {
      checkPart(manifest.embedding(), "embedding");
    }
    if (manifest.head() != null) {
      checkPart(manifest.head(), "head");
    }
    TokenizerFiles tokenizer = manifest.tokenizer();
    if (tokenizer != null) {
      if (tokenizer.vocab() == null || tokenizer.merges() == null) {
        throw new ModelException(manifestFile() + ": tokenizer needs both vocab and merges");
      }
      inside(tokenizer.vocab());
      inside(tokenizer.merges());
    }
  }

  private void checkPart(Part part, String what) throws ModelException {
    if (part == null || part.file() == null) {
      throw new ModelException(manifestFile() + ": " + what + " lists an entry without a file");
    }
    inside(part.file());
  }

  /** A manifest's file, refused when its path would leave the model directory. */
  private Path inside(String relative) throws ModelException {
    Path file;
    try {
      Path given = Path.of(relative);
      file = root.resolve(given).normalize();
      if (given.isAbsolute() || !file.startsWith(root.normalize()) || relative.isEmpty()) {
        throw new ModelException(manifestFile() + ": file path '" + relative + "' leaves the model directory");
      }
    } catch (InvalidPathException e) {
      throw new ModelException(manifestFile() + ": file path '" + relative + "' is not a valid path");
    }
    return file;
  }

  public Path root() {
    return root;
  }

  public ShardManifest manifest() {
    return manifest;
  }

  public Path manifestFile() {
    return root.resolve(ShardManifest.FILE_NAME);
  }

  public Part layer(int index, int bits) throws ModelException {
    LayerParts parts = layerParts(index);
    return parts.atBits(bits)
        .orElseThrow(
            () ->
                new ModelException(
                    manifestFile()
                        + ": layer "
                        + index
                        + " has no "
                        + bits
                        + "-bit file (present: "
                        + parts.variants().stream().map(v -> v.bits() + "").collect(Collectors.joining(", "))
                        + "); create it with `pack`"));
  }

  /** Per layer, the widest bit width present: the default when no plan says otherwise. */
  public java.util.List<Integer> widestBits() {
    return manifest.layers().stream()
        .map(l -> l.variants().stream().mapToInt(Part::bits).max().orElseThrow())
        .toList();
  }

  /** The tokenizer of this model, verified against the manifest. */
  public io.dilemma.worker.model.tokenizer.BpeTokenizer tokenizer() throws ModelException {
    TokenizerFiles files = manifest.tokenizer();
    if (files == null) {
      throw new ModelException(manifestFile() + ": the model has no tokenizer; pass token ids instead of text");
    }
    return io.dilemma.worker.model.tokenizer.BpeTokenizer.load(
        verified(new Part(0, files.vocab())), verified(new Part(0, files.merges())));
  }

  public LayerParts layerParts(int index) throws ModelException {
    if (index < 0 || index >= manifest.layers().size()) {
      throw new ModelException(
          manifestFile() + ": the model has layers 0.." + (manifest.layers().size() - 1) + ", not layer " + index);
    }
    LayerParts parts = manifest.layers().get(index);
    if (parts == null || parts.index() != index || parts.variants() == null) {
      throw new ModelException(manifestFile() + ": entry for layer " + index + " is missing");
    }
    return parts;
  }

  /** The file of {@code part}, after checking it exists and matches its manifest hash. */
  public Path verified(Part part) throws ModelException {
    Path file = inside(part.file());
    String expected = manifest.sha256().get(part.file());
    if (expected == null) {
      throw new ModelException(manifestFile() + ": no sha256 recorded for " + part.file());
    }
    String actual;
    try {
      actual = FileHashes.sha256(file);
    } catch (NoSuchFileException e) {
      throw new ModelException(file + ": file listed in the manifest is missing");
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + firstLine(e));
    }
    if (!actual.equals(expected)) {
      throw new ModelException(
          file + ": sha256 " + actual.substring(0, 12) + "… does not match the manifest's " + expected.substring(0, Math.min(12, expected.length())) + "… (file changed or corrupt)");
    }
    return file;
  }

  static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
