package io.dilemma.localcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The edge the closed loop runs on, made real on the local cluster by its {@code cluster} script:
 * each node's CPU capped by a cgroup quota (a Raspberry Pi is a quarter of this machine's core, the
 * cloud node one and a half), and the pod traffic between nodes shaped with HTB to rates an office
 * edge has: a wired 1 Gbit/s pair, 100 Mbit/s to the Jetson, a 20 Mbit/s Wi-Fi box, a 10 Mbit/s
 * uplink to the cloud. Nothing here tells the operator any of it: the probers measure it.
 */
public final class EdgeTopology {
  public static final Map<String, Double> CPU_CORES = new LinkedHashMap<>();
  static {
    CPU_CORES.put("pi5-gateway", 0.25);
    CPU_CORES.put("pi5-media", 0.25);
    CPU_CORES.put("jetson-orin-nano", 0.5);
    CPU_CORES.put("nuc-i5", 0.75);
    CPU_CORES.put("cloud-a10", 1.5);
  }

  /** Unordered pairs and their rate in Mbit/s, each way. */
  public static final List<Pair> LINKS = List.of(
      new Pair("pi5-gateway", "nuc-i5", 1000),
      new Pair("pi5-gateway", "jetson-orin-nano", 100),
      new Pair("nuc-i5", "jetson-orin-nano", 100),
      new Pair("pi5-gateway", "pi5-media", 20),
      new Pair("pi5-media", "jetson-orin-nano", 20),
      new Pair("pi5-media", "nuc-i5", 20),
      new Pair("pi5-gateway", "cloud-a10", 10),
      new Pair("pi5-media", "cloud-a10", 10),
      new Pair("jetson-orin-nano", "cloud-a10", 10),
      new Pair("nuc-i5", "cloud-a10", 10));

  public record Pair(String a, String b, double mbps) {
    public boolean joins(String x, String y) {
      return (a.equals(x) && b.equals(y)) || (a.equals(y) && b.equals(x));
    }
  }

  private final Path script;

  public EdgeTopology(Path repo) {
    this.script = repo.resolve("deploy/local-cluster/cluster");
  }

  public static double rateMbps(String from, String to) {
    return LINKS.stream().filter(p -> p.joins(from, to)).findFirst().orElseThrow().mbps();
  }

  public void apply() throws Exception {
    for (var cpu : CPU_CORES.entrySet()) cluster("cpu", "set", cpu.getKey(), Double.toString(cpu.getValue()));
    cluster("link", "clear");
    for (Pair p : LINKS) setRate(p.a(), p.b(), p.mbps());
  }

  /** Both directions of one pair, as a link that degrades does. */
  public void setRate(String a, String b, double mbps) throws Exception {
    cluster("link", "set", a, b, "--rate", Math.round(mbps * 1000) + "kbit");
  }

  public void clear() throws Exception {
    cluster("link", "clear");
    for (String node : CPU_CORES.keySet()) cluster("cpu", "set", node, "off");
  }

  public String show() throws Exception {
    return cluster("link", "show") + cluster("cpu", "show");
  }

  private String cluster(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(script + " " + String.join(" ", args) + ": no answer in 2 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IOException(script + " " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out.strip());
    }
    return out;
  }
}
