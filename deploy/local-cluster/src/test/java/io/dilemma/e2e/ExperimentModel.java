package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The closed loop's model: an OPT-125m-shaped model cut to six layers and a 4096-token vocabulary,
 * so that its layers' compute, not the JVM around them, dominates a request on nodes capped at a
 * fraction of a core, yet it loads in seconds. Packed at 4, 8 and 16 bits, and profiled by the
 * real profiler on these very files: the profile the operator plans with is measured on the model
 * the pods load. Built once into the e2e work directory by the shard-worker jar of the build.
 */
final class ExperimentModel {
  static final String NAME = "opt-125m-6l";
  static final List<Integer> BITS = List.of(4, 8, 16);

  private final Path dir;
  private final String profileJson;

  private ExperimentModel(Path dir, String profileJson) {
    this.dir = dir;
    this.profileJson = profileJson;
  }

  static ExperimentModel create(Path repo, Path work) throws Exception {
    Path jar = repo.resolve("shard-worker/serving/target/shard-worker.jar");
    assertThat(jar).as("build the shard-worker jar first (mvn -pl shard-worker/serving -am package)").isRegularFile();
    Path dir = work.resolve(NAME);
    Path done = work.resolve(NAME + ".complete");
    if (!Files.isRegularFile(done)) {
      if (Files.exists(dir)) deleteTree(dir);
      run(jar, "synth", "--preset", "opt-125m", "--layers", "6", "--vocab", "4096", "--seed", "3", "--bits", "16",
          "--out", dir.toString());
      run(jar, "pack", "--model", dir.toString(), "--bits", "8");
      run(jar, "pack", "--model", dir.toString(), "--bits", "4");
      run(jar, "profile", "--model", dir.toString(), "--bits", "4,8,16", "--rho", "0,0.25,0.5",
          "--eval-tokens", "64", "--additivity-samples", "0", "--out", work.resolve(NAME + "-profile.json").toString());
      Files.writeString(done, "synth + pack 8, 4 + profile\n");
    }
    return new ExperimentModel(dir, Files.readString(work.resolve(NAME + "-profile.json"), StandardCharsets.UTF_8));
  }

  Path dir() {
    return dir;
  }

  String profileJson() {
    return profileJson;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private static String run(Path jar, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.MINUTES)).as("%s timed out", args[0]).isTrue();
    assertThat(p.exitValue()).as("%s:\n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
