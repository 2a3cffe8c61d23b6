package io.dilemma.worker.model.cli;

import io.dilemma.worker.model.format.ModelDirectory;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --bits}: which of a model directory's packed widths a command loads, layer by layer. */
public final class LoadedBitsOption {
  @Option(
      names = "--bits",
      description = "weight bits to load: one width for every layer or one per layer, e.g. 8 or 8,8,4,4;"
          + " the model must hold those widths (see pack); default: the widest width present per layer")
  private String bits;

  /** One width per layer of {@code directory}. */
  public List<Integer> perLayer(ModelDirectory directory) {
    int layers = directory.manifest().dimensions().layers();
    return bits == null ? directory.widestBits() : BitList.perLayer(bits, layers);
  }
}
