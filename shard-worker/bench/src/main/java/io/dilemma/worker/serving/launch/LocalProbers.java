package io.dilemma.worker.serving.launch;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real {@code dilemma-prober probe} processes on loopback, each told the others with {@code
 * --peers} (no API server), as a DaemonSet's probers would probe each other. They can be paused
 * and resumed (SIGSTOP, SIGCONT), so a benchmark compares rounds with and without probing against
 * the same warm processes, instead of a fresh JVM's start and compute benchmarks in every round.
 */
public final class LocalProbers implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final Pattern PROBED = Pattern.compile("probed (\\S+) \\(([^)]*)\\): .* (\\d+) bytes in ");

  /** What the probers' logs say happened so far. */
  public record Probes(int full, int light, long bytes) {
    public Probes minus(Probes earlier) {
      return new Probes(full - earlier.full, light - earlier.light, bytes - earlier.bytes);
    }
  }

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final Thread reaper = new Thread(this::close, "local-probers-reaper");

  private LocalProbers() {
    // an interrupted benchmark must not leave prober processes behind, stopped or not
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code count} probers named {@code prefix}1.. and waits until each has probed a peer
   * (after its start-up compute benchmarks).
   *
   * @param jar the prober's jar ({@code shard-worker/prober/target/dilemma-prober.jar})
   * @param shardMarkers their {@code --shard-marker}, or null for the prober's default, which the
   *     pipeline's shard processes carry: they see a serving node (light probes); with a marker no
   *     process carries they see an idle one (full probes). It goes in an {@code @}-file, because
   *     the probers' own command lines would otherwise carry it and make them shards
   * @param extraArguments more {@code probe} options, the same for every prober
   */
  public static LocalProbers launch(Path jar, int count, String prefix, String shardMarkers, Duration probeInterval,
      List<String> extraArguments, Path workDir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) throw new IOException(jar + ": no prober jar (mvn -B -q -pl shard-worker/prober -am package -DskipTests)");
    if (count < 2) throw new IllegalArgumentException("probers must be at least 2 to probe each other, was " + count);
    Files.createDirectories(workDir);
    int[] ports = new int[count];
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports[i] = freePort();
      peers.add(prefix + (i + 1) + "=127.0.0.1:" + ports[i]);
    }
    LocalProbers probers = new LocalProbers();
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      for (int i = 0; i < count; i++) {
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), "probe",
            "--node", prefix + (i + 1), "--peers", String.join(",", peers), "--port", Integer.toString(ports[i]),
            "--listen-address", "127.0.0.1", "--metrics-port", Integer.toString(freePort()),
            "--probe-interval", probeInterval.toString()));
        if (shardMarkers != null) {
          Path markers = workDir.resolve(prefix + "shard-marker.args");
          Files.writeString(markers, "--shard-marker=" + shardMarkers + "\n");
          command.add("@" + markers);
        }
        command.addAll(extraArguments);
        Path log = workDir.resolve(prefix + (i + 1) + ".log");
        probers.logs.add(log);
        probers.processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
      }
      probers.awaitFirstProbes();
    } catch (IOException | InterruptedException | RuntimeException e) {
      probers.close();
      throw e;
    }
    return probers;
  }

  private void awaitFirstProbes() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    for (int i = 0; i < processes.size(); i++) {
      while (count(logs.get(i)).full + count(logs.get(i)).light == 0) {
        if (!processes.get(i).isAlive()) throw new IOException(logs.get(i) + ": the prober exited with " + processes.get(i).exitValue());
        if (System.nanoTime() > deadline) throw new IOException(logs.get(i) + ": no probe after " + STARTUP.toSeconds() + " s");
        Thread.sleep(100);
      }
    }
  }

  /** Stops every prober where it is: no CPU, no probe, until {@link #resume}. */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", signal));
    for (Process p : processes) command.add(Long.toString(p.pid()));
    Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (kill.waitFor() != 0) throw new IOException("kill " + signal + " of the probers failed: " + output);
  }

  /** CPU time all probers used so far, user and system, from the kernel's accounting. */
  public Duration cpu() {
    Duration total = Duration.ZERO;
    for (Process p : processes) total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
    return total;
  }

  /** Probes done so far, by mode, and their bytes, from the probers' logs. */
  public Probes probes() throws IOException {
    Probes total = new Probes(0, 0, 0);
    for (Path log : logs) {
      Probes one = count(log);
      total = new Probes(total.full + one.full, total.light + one.light, total.bytes + one.bytes);
    }
    return total;
  }

  private static Probes count(Path log) throws IOException {
    int full = 0;
    int light = 0;
    long bytes = 0;
    Matcher m = PROBED.matcher(Files.readString(log, StandardCharsets.UTF_8));
    while (m.find()) {
      if (m.group(2).startsWith("light")) light++;
      else full++;
      bytes += Long.parseLong(m.group(3));
    }
    return new Probes(full, light, bytes);
  }

  public List<Path> logs() {
    return List.copyOf(logs);
  }

  @Override
  public void close() {
    if (Thread.currentThread() != reaper) {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to; closing twice is harmless
      }
    }
    // SIGKILL ends a stopped process too
    for (Process p : processes) p.destroyForcibly();
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
