package io.dilemma.planner.bench;

import io.dilemma.planner.Cluster;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Link;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.Tier;
import io.dilemma.planner.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's instance families, generated deterministically from a seed (documented in
 * operator/PLANNER.md, "Benchmark instances"). Nothing here reads the example files.
 *
 * <p>Model: an OPT-style decoder of the family's shape; per layer exact parameter, FLOP and byte
 * counts, and a seeded sensitivity s_i ∈ [0.8, 1.2] (×1.5 for the first and last block) that
 * scales the quantization loss 0.85·2^(1−b). Cluster: edge machines drawn from a catalogue of real
 * device classes with a seeded share of their RAM free (in 256 MiB steps, so equal machines
 * recur), all on one 1 Gbit/s LAN, plus cloud GPU(s) behind a seeded uplink. Node 0 is the
 * origin. Budget: half the loss of running every layer at 4 bits.
 */
public enum InstanceFamily {
  PAPER("paper 24x5", 24, 1024, 4096, 4, 1, 256, 128),
  SEVEN_B("7B 32x8", 32, 4096, 16384, 7, 1, 512, 256),
  SEVENTY_B("70B 80x17", 80, 8192, 28672, 16, 1, 512, 256),
  STRESS("stress 120x32", 120, 4096, 16384, 31, 1, 512, 256);

  private static final int[] BITS = {2, 3, 4, 8, 16};
  private static final double[] RHOS = {0.0, 0.1, 0.25, 0.5, 1.0};

  /** name, FLOP/s, memory bytes/s, RAM bytes. */
  private record DeviceClass(String name, double flops, double bandwidth, long ram) {}

  private static final List<DeviceClass> EDGE_DEVICES =
      List.of(
          new DeviceClass("pi5", 25e9, 6e9, 8L << 30),
          new DeviceClass("orin-nano", 60e9, 25e9, 8L << 30),
          new DeviceClass("agx-orin", 150e9, 80e9, 32L << 30),
          new DeviceClass("nuc", 200e9, 35e9, 32L << 30),
          new DeviceClass("mac-mini", 300e9, 90e9, 16L << 30),
          new DeviceClass("rtx3060", 8e12, 300e9, 12L << 30));

  private final String label;
  private final int layers;
  private final int hidden;
  private final int ffn;
  private final int edgeNodes;
  private final int cloudNodes;
  private final int promptTokens;
  private final int outputTokens;

  InstanceFamily(
      String label, int layers, int hidden, int ffn, int edgeNodes, int cloudNodes, int promptTokens, int outputTokens) {
    this.label = label;
    this.layers = layers;
    this.hidden = hidden;
    this.ffn = ffn;
    this.edgeNodes = edgeNodes;
    this.cloudNodes = cloudNodes;
    this.promptTokens = promptTokens;
    this.outputTokens = outputTokens;
  }

  public String label() {
    return label;
  }

  public PlanningProblem generate(long seed, Duration timeLimit) {
    Random random = new Random(seed * 1_000_003L + ordinal());
    ModelCosts model = model(random);
    Cluster cluster = cluster(random, model);
    double budget = 0;
    for (ModelCosts.LayerCost layer : model.layers()) {
      budget += layer.bits().stream().filter(b -> b.bits() == 4).findFirst().orElseThrow().quality();
    }
    PlanningOptions options =
        new PlanningOptions(
            Arrays.stream(BITS).boxed().toList(),
            Arrays.stream(RHOS).boxed().toList(),
            true,
            timeLimit,
            null);
    return new PlanningProblem(
        name().toLowerCase() + "-" + seed, model, cluster, new Workload(promptTokens, outputTokens), budget / 2, options);
  }

  private ModelCosts model(Random random) {
    long matrices = 4L * hidden * hidden + 2L * hidden * ffn;
    long vectors = 9L * hidden + ffn;
    long params = matrices + vectors;
    List<ModelCosts.LayerCost> costs = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      double sensitivity = (i == 0 || i == layers - 1 ? 1.5 : 1.0) * (0.8 + 0.4 * random.nextDouble());
      List<ModelCosts.BitOption> bits = new ArrayList<>();
      for (int b : BITS) {
        long bytes = b == 16 ? 2 * params : matrices * b / 8 + matrices / 128 * 4 + 2 * vectors;
        bits.add(new ModelCosts.BitOption(b, bytes, b == 16 ? 0 : Math.pow(2, 1 - b) * 0.85 * sensitivity));
      }
      costs.add(
          new ModelCosts.LayerCost(
              i, params, 2.0 * params + 4.0 * hidden * 256, 2.0 * params + 4.0 * hidden * 128, hidden, 8L * hidden, bits));
    }
    List<ModelCosts.CutCost> cuts = new ArrayList<>();
    for (int c = -1; c < layers - 1; c++) {
      double scale = 0.8 + 0.4 * random.nextDouble();
      List<ModelCosts.RhoOption> options = new ArrayList<>();
      for (double rho : RHOS) {
        options.add(new ModelCosts.RhoOption(rho, scale * ((1 - rho) * (1 - rho) * 0.06 + rho * 0.004)));
      }
      cuts.add(new ModelCosts.CutCost(c, options));
    }
    long vocabParams = 50_272L * hidden;
    return new ModelCosts(label, costs, cuts, 2 * vocabParams, 2 * vocabParams, 2.0 * vocabParams);
  }

  private Cluster cluster(Random random, ModelCosts model) {
    List<ComputeNode> nodes = new ArrayList<>();
    for (int j = 0; j < edgeNodes; j++) {
      DeviceClass device = EDGE_DEVICES.get(random.nextInt(EDGE_DEVICES.size()));
      long step = 256L << 20;
      long free = (long) (device.ram() * (0.3 + 0.5 * random.nextDouble())) / step * step;
      nodes.add(new ComputeNode(device.name() + "-" + j, device.flops(), device.bandwidth(), free, Tier.EDGE));
    }
    long modelBytes = model.layers().stream().mapToLong(l -> 2 * l.parameters()).sum();
    for (int j = 0; j < cloudNodes; j++) {
      nodes.add(new ComputeNode("cloud-" + j, 30e12, 1.5e12, 2 * modelBytes, Tier.CLOUD));
    }
    List<Link> links = new ArrayList<>();
    double uplink = (20 + random.nextInt(81)) * 1e6 / 8;
    double downlink = 4 * uplink;
    double wanLatency = (20 + random.nextInt(41)) * 1e-3;
    for (int a = 0; a < nodes.size(); a++) {
      for (int b = 0; b < nodes.size(); b++) {
        if (a == b) continue;
        boolean aCloud = nodes.get(a).tier() == Tier.CLOUD;
        boolean bCloud = nodes.get(b).tier() == Tier.CLOUD;
        if (aCloud && bCloud) {
          links.add(new Link(nodes.get(a).name(), nodes.get(b).name(), 10e9 / 8, 0.5e-3));
        } else if (aCloud || bCloud) {
          links.add(new Link(nodes.get(a).name(), nodes.get(b).name(), aCloud ? downlink : uplink, wanLatency));
        } else {
          links.add(new Link(nodes.get(a).name(), nodes.get(b).name(), 1e9 / 8, 0.3e-3));
        }
      }
    }
    return new Cluster(nodes, links, nodes.get(0).name());
  }
}
