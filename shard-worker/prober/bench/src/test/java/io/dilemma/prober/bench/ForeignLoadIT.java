package io.dilemma.prober.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real prober process ({@code probe --peers}, no API server) whose node is a test cgroup capped
 * at half a core ({@code --node-cgroup}), and real busy-loop processes moved into that cgroup: a
 * CPU hog outside Dilemma lowers the published available share, after {@code --share-hold} and not
 * for a spike shorter than it, and it comes back once the hog is gone; a busy process that carries
 * the shard marker never lowers it. Needs root and a writable cgroup v1 {@code cpu} and {@code
 * cpuacct} hierarchy (this build machine's), else it is skipped.
 */
class ForeignLoadIT {
  private static final Path PROBER_JAR = Path.of("..", "target", "dilemma-prober.jar").toAbsolutePath().normalize();
  private static final Path CPU = Path.of("/sys/fs/cgroup/cpu");
  private static final Path CPUACCT = Path.of("/sys/fs/cgroup/cpuacct");
  private static final String SHARD_MARKER = "foreign-load-it-shard";
  private static final long HOLD_SECONDS = 6;
  private static final Pattern SHARE = Pattern.compile("available compute share: ([0-9.]+)");

  private final String cgroup = "/dilemma-it-foreign-load-" + ProcessHandle.current().pid();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) p.destroyForcibly().waitFor();
    for (Path hierarchy : List.of(CPU, CPUACCT)) {
      Path dir = hierarchy.resolve(cgroup.substring(1));
      for (String child : List.of("shard", "hog")) {
        if (Files.isDirectory(dir.resolve(child))) Files.delete(dir.resolve(child));
      }
      if (Files.isDirectory(dir)) Files.delete(dir);
    }
  }

  @Test
  void aHogLowersTheShareAfterTheHoldNotASpikeNorOurShardAndItComesBack(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isWritable(CPU.resolve("cgroup.procs")) && Files.isRegularFile(CPUACCT.resolve("cpuacct.usage")),
        "needs root and cgroup v1 cpu and cpuacct hierarchies at " + CPU + " and " + CPUACCT);
    assertThat(PROBER_JAR).as("the prober jar (package shard-worker/prober first)").exists();
    // a shard and a hog each in a cgroup below the node's, as containers below a kubelet's --cgroup-root
    for (Path hierarchy : List.of(CPU, CPUACCT)) {
      Path node = Files.createDirectory(hierarchy.resolve(cgroup.substring(1)));
      Files.createDirectory(node.resolve("shard"));
      Files.createDirectory(node.resolve("hog"));
    }
    Path cpuDir = CPU.resolve(cgroup.substring(1));
    Files.writeString(cpuDir.resolve("cpu.cfs_period_us"), "100000");
    Files.writeString(cpuDir.resolve("cpu.cfs_quota_us"), "50000");
    // the machine is shared: without a high weight the other builds would take the hog's half core
    Files.writeString(cpuDir.resolve("cpu.shares"), "65536");

    Path log = dir.resolve("prober.log");
    int port = freePort();
    processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", PROBER_JAR.toString(),
        "probe", "--node", "n1", "--peers", "n1=127.0.0.1:" + port, "--port", Integer.toString(port), "--listen-address", "127.0.0.1",
        "--metrics-port", Integer.toString(freePort()), "--probe-interval", "PT1S", "--node-cgroup", cgroup,
        "--share-hold", "PT" + HOLD_SECONDS + "S", "--shard-marker", SHARD_MARKER)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    Process prober = processes.get(0);
    await(() -> shares(log).size() >= 1, prober, log, 120, "the first published share");
    assertThat(shares(log).get(0)).as("the share of an empty node cgroup").isGreaterThanOrEqualTo(0.85);

    Process shard = busyInCgroup("shard", SHARD_MARKER);
    Thread.sleep((HOLD_SECONDS + 4) * 1000);
    end(shard);
    assertThat(shares(log)).as("published while our own shard kept the node busy").hasSize(1);

    Process spike = busyInCgroup("hog", "hog");
    Thread.sleep(2000);
    end(spike);
    Thread.sleep((HOLD_SECONDS + 2) * 1000);
    assertThat(shares(log)).as("published after a 2 s spike, below the " + HOLD_SECONDS + " s hold").hasSize(1);

    long hogStart = System.nanoTime();
    Process hog = busyInCgroup("hog", "hog");
    await(() -> shares(log).size() >= 2, prober, log, HOLD_SECONDS + 30, "the share to drop under the hog");
    double seconds = (System.nanoTime() - hogStart) / 1e9;
    double loaded = shares(log).get(1);
    end(hog);
    await(() -> shares(log).size() >= 3, prober, log, HOLD_SECONDS + 30, "the share to come back");
    double back = shares(log).get(2);
    System.out.printf("available share: empty %.2f, under the hog %.2f after %.1f s (hold %d s), after it %.2f%n",
        shares(log).get(0), loaded, seconds, HOLD_SECONDS, back);
    assertThat(loaded).as("the share under a hog taking the node's half core").isLessThanOrEqualTo(0.35);
    assertThat(seconds).as("seconds from the hog's start to the drop").isGreaterThanOrEqualTo(HOLD_SECONDS - 1);
    assertThat(back).as("the share once the hog is gone").isGreaterThanOrEqualTo(0.85);
  }

  /** A busy loop that first moves itself into {@code child} below the node cgroup, in both hierarchies; {@code name} is on its command line. */
  private Process busyInCgroup(String child, String name) throws IOException {
    String path = cgroup + "/" + child;
    String script = "echo $$ > " + CPU + path + "/cgroup.procs && echo $$ > " + CPUACCT + path + "/cgroup.procs && while :; do :; done";
    Process p = new ProcessBuilder("sh", "-c", script, name).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    return p;
  }

  private static void end(Process p) throws InterruptedException {
    p.destroyForcibly().waitFor();
  }

  private static List<Double> shares(Path log) {
    List<Double> shares = new ArrayList<>();
    try {
      Matcher m = SHARE.matcher(Files.readString(log, StandardCharsets.UTF_8));
      while (m.find()) shares.add(Double.parseDouble(m.group(1)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return shares;
  }

  private static void await(java.util.function.BooleanSupplier condition, Process prober, Path log, long seconds, String what) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (!prober.isAlive()) throw new AssertionError("the prober exited (" + prober.exitValue() + ") waiting for " + what + ":\n" + Files.readString(log));
      if (System.nanoTime() > deadline) throw new AssertionError("gave up waiting for " + what + ":\n" + Files.readString(log));
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
