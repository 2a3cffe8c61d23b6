package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A synthesised opt-tiny, its profile, and single-process reference completions, all made by the
 * shard-worker jar the build produced (the same jar as in the image).
 */
final class ModelFixture {
  static final String NAME = "opt-tiny";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path jar;
  private final Path dir;
  private final String profileJson;

  private ModelFixture(Path jar, Path dir, String profileJson) {
    this.jar = jar;
    this.dir = dir;
    this.profileJson = profileJson;
  }

  /**
   * 16-bit weights only. The profile keeps its layer measurements but drops the cut measurements:
   * with no measured ρ options the planner leaves every cut unquantized (16-bit activations), so
   * what the cluster serves can be compared token for token with the single-process reference.
   * No timing pass ({@code --no-timing}): these scenarios expect the chain shapes the roofline gives
   * for the typed node figures, whatever this machine measured that day.
   */
  static ModelFixture create(Path repo, Path work) throws Exception {
    Path jar = repo.resolve("shard-worker/serving/target/shard-worker.jar");
    assertThat(jar).as("build the shard-worker jar first (mvn -pl shard-worker/serving -am package)").isRegularFile();
    Path dir = work.resolve(NAME);
    if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
      run(jar, "synth", "--preset", NAME, "--bits", "16", "--out", dir.toString());
    }
    Path profile = work.resolve(NAME + "-profile.json");
    if (!Files.isRegularFile(profile)) {
      run(jar, "profile", "--model", dir.toString(), "--bits", "16", "--no-timing", "--out", profile.toString());
    }
    ObjectNode json = (ObjectNode) JSON.readTree(profile.toFile());
    json.putArray("cuts");
    return new ModelFixture(jar, dir, JSON.writeValueAsString(json));
  }

  Path dir() {
    return dir;
  }

  String profileJson() {
    return profileJson;
  }

  /** Greedy tokens of the whole model in one process. */
  long[] reference(long[] prompt, int maxTokens) throws Exception {
    String out = run(jar, "generate", "--model", dir.toString(),
        "--tokens", String.join(",", Arrays.stream(prompt).mapToObj(Long::toString).toList()),
        "--max-tokens", Integer.toString(maxTokens), "--temperature", "0");
    String line = out.lines().filter(l -> l.startsWith("tokens: ")).findFirst()
        .orElseThrow(() -> new AssertionError("no 'tokens:' line in generate output:\n" + out));
    return Arrays.stream(line.substring("tokens: ".length()).trim().split(",")).mapToLong(Long::parseLong).toArray();
  }

  private static String run(Path jar, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("%s:\n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
