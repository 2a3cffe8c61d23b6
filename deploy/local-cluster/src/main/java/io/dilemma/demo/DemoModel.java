package io.dilemma.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's model: the trained opt-fortunes checkpoint of {@code deploy/models/opt-fortunes},
 * imported at 16, 8 and 4 bits and profiled with timing on this machine by the shard-worker jar of
 * the build, the same jar the image holds. The plan is priced from the files the pods load. Built
 * once; rebuilt when the jar changes, since the jar decides the directory's format.
 */
final class DemoModel {
  static final String NAME = "opt-fortunes";
  static final List<Integer> BITS = List.of(4, 8, 16);

  private final Path dir;
  private final String profileJson;

  private DemoModel(Path dir, String profileJson) {
    this.dir = dir;
    this.profileJson = profileJson;
  }

  Path dir() {
    return dir;
  }

  String profileJson() {
    return profileJson;
  }

  /** @return the model, imported and profiled now or found from an earlier run of the same jar */
  static DemoModel prepare(Path repo, Path work, Progress progress) throws IOException, InterruptedException {
    Path jar = repo.resolve("shard-worker/serving/target/shard-worker.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + ": missing; build it with mvn -pl shard-worker/serving -am package");
    }
    Path checkpoint = repo.resolve("deploy/models").resolve(NAME);
    Path dir = work.resolve(NAME);
    Path profile = work.resolve(NAME + "-profile.json");
    Path stamp = work.resolve(NAME + ".built-by");
    String builtBy = Files.size(jar) + " " + Files.getLastModifiedTime(jar);
    if (!Files.isRegularFile(stamp) || !Files.readString(stamp).equals(builtBy)) {
      progress.step("importing %s at %s bits and profiling it on this machine (once per build of the jar)", NAME, BITS);
      deleteTree(dir);
      Files.createDirectories(work);
      run(jar, "import", "--checkpoint", checkpoint.toString(), "--bits", "16,8,4", "--out", dir.toString());
      run(jar, "profile", "--model", dir.toString(), "--bits", "4,8,16", "--rho", "0,0.25,0.5",
          "--text", checkpoint.resolve("heldout.txt").toString(), "--eval-tokens", "64",
          "--additivity-samples", "0", "--out", profile.toString());
      Files.writeString(stamp, builtBy);
    }
    return new DemoModel(dir, Files.readString(profile, StandardCharsets.UTF_8));
  }

  /**
   * Copies the model where every node's hostPath sees it: each node of the local cluster is this
   * machine. Returns the directory to mount.
   */
  Path publish(Path clusterState) throws IOException {
    Path models = Files.createDirectories(clusterState.resolve("models"));
    Path published = models.resolve(NAME);
    deleteTree(published);
    try (var files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        Path target = published.resolve(dir.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    return models;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** The prompt's length in tokens, as the head will count it: the model's own tokenizer, in one process. */
  int promptTokens(Path repo, String prompt) throws IOException, InterruptedException {
    String out = run(repo.resolve("shard-worker/serving/target/shard-worker.jar"),
        "generate", "--model", dir.toString(), "--prompt", prompt, "--max-tokens", "1");
    var m = java.util.regex.Pattern.compile("prefill (\\d+) tokens").matcher(out);
    if (!m.find()) throw new IOException("shard-worker generate printed no 'prefill N tokens' line: " + out.strip());
    return Integer.parseInt(m.group(1));
  }

  private static String run(Path jar, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("shard-worker " + args[0] + ": no result in 20 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IOException("shard-worker " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out.strip());
    }
    return out;
  }
}
