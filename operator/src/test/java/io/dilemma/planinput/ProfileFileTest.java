package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFileTest {
  private static final List<Integer> ALL_BITS = List.of(2, 3, 4, 8, 16);
  private static final List<Double> ALL_RHO = List.of(0.0, 0.1, 0.25, 0.5, 1.0);

  @TempDir Path dir;

  private Path write(Consumer<ObjectNode> edit) throws Exception {
    ModelProfile profile = OptShapedProfile.create("opt-test", 4, 256, 1024, 4, 1000, 256, 3);
    ObjectNode tree = ContractJson.mapper().valueToTree(profile);
    edit.accept(tree);
    Path file = dir.resolve("profile.json");
    Files.writeString(file, tree.toPrettyString());
    return file;
  }

  private static ModelProfile readAndReduce(Path file) {
    ModelProfile profile = ProfileFile.read(file);
    ModelCostsFromProfile.toModelCosts(profile, QualityMetric.NORMALIZED_ERROR, ALL_BITS, ALL_RHO);
    return profile;
  }

  @Test
  void aGoodProfileReads() throws Exception {
    assertThat(readAndReduce(write(tree -> {})).layers()).hasSize(4);
  }

  @Test
  void aMisspeltTopLevelKeyIsNamed() throws Exception {
    Path file = write(tree -> tree.set("layerz", tree.remove("layers")));
    assertThatThrownBy(() -> readAndReduce(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(file + ": layerz: unknown field (expected one of additivity, architecture, cuts, embedding, head, layers, model, schemaVersion, timing)");
  }

  @Test
  void aMisspeltNestedKeyIsNamedWithItsPath() throws Exception {
    Path file = write(tree -> ((ObjectNode) tree.withArray("layers").get(2)).put("bitz", 3));
    assertThatThrownBy(() -> readAndReduce(file)).hasMessageStartingWith(file + ": layers[2].bitz: unknown field");
  }

  @Test
  void anArchitectureThatDisagreesWithTheLayerEntriesIsRefused() throws Exception {
    Path file = write(tree -> tree.with("architecture").put("layers", 30));
    assertThatThrownBy(() -> readAndReduce(file))
        .hasMessage("architecture.layers: says 30 but the profile lists 4 layer entries");
  }

  @Test
  void aLayerWithoutBitsIsRefusedNotPlannedAtSixteenBits() throws Exception {
    Path file = write(tree -> ((ObjectNode) tree.withArray("layers").get(1)).remove("bits"));
    assertThatThrownBy(() -> readAndReduce(file))
        .hasMessage("layers[1].bits: missing: every layer needs the bit widths the profiler measured");
  }

  @Test
  void aWrongTypeSaysWhatWasExpectedInPlainWords() throws Exception {
    Path text = write(tree -> ((ObjectNode) tree.withArray("layers").get(0)).put("decodeFlopsPerToken", "lots"));
    assertThatThrownBy(() -> ProfileFile.read(text))
        .hasMessage(text + ": layers[0].decodeFlopsPerToken: expected a number, got \"lots\"");
    Path list = write(tree -> tree.with("head").putArray("bytes").add(1));
    assertThatThrownBy(() -> ProfileFile.read(list)).hasMessage(list + ": head.bytes: expected a whole number, got a list");
  }

  @Test
  void aSyntaxErrorNamesLineAndColumn() throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\n  \"schemaVersion\": 1,\n  \"model\": oops\n}\n");
    assertThatThrownBy(() -> ProfileFile.read(file))
        .hasMessageStartingWith(file + ": line 3, column ")
        .hasMessageContaining("not valid JSON: ")
        .hasMessageNotContaining("\n");
  }
}
