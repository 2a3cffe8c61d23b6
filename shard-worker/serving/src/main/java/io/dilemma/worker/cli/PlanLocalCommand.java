package io.dilemma.worker.cli;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.model.cli.LoadedBitsOption;
import io.dilemma.worker.model.cli.ModelDirectoryOption;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.serving.plan.LocalShardPlans;
import io.dilemma.worker.serving.plan.PlanException;
import io.dilemma.worker.serving.plan.LocalShardPlans.LayerRange;
import io.dilemma.worker.serving.plan.LocalShardPlans.Ports;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes the shard plans the operator would put into ConfigMaps, for a pipeline of {@code serve}
 * processes on this machine, and prints the command that starts each shard.
 */
@Command(
    name = "plan-local",
    description = {
      "Write shard plans (shard-0.json, shard-1.json, ...) that split a model's layers across serve processes on this machine, "
          + "and print the serve command for each shard.",
      "Example: plan-local --model opt-tiny --layers 0-1,2-3 --out plans"
    })
public final class PlanLocalCommand extends DilemmaCommand {
  @Mixin ModelDirectoryOption model;

  @Option(names = "--layers", required = true, description = "layer range of each shard, in order, e.g. 0-1,2-3 for two shards; together they cover every layer")
  String layers;

  @Mixin LoadedBitsOption bits;

  @Option(names = "--cut", defaultValue = "16", description = "activation bits at every cut between shards: 16 (unquantized fp32) or HIGH/LOW such as 8/4 (default ${DEFAULT-VALUE})")
  String cut;

  @Option(names = "--rho", defaultValue = "0.25", description = "share of tokens sent at the high width at a quantized cut, in [0, 1] (default ${DEFAULT-VALUE})")
  double rho;

  @Option(names = "--keep-tokens-on-origin", description = "no token id or embedding output leaves the head: the head must run at least one layer")
  boolean keepTokensOnOrigin;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address the shards reach each other on, written into nextShard (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--grpc-port", defaultValue = "50051", description = "gRPC port of shard 1; shard i listens on this + i - 1 (default ${DEFAULT-VALUE})")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port of the head; shard i serves on this + i (default ${DEFAULT-VALUE})")
  int httpPort;

  @Option(names = "--name", defaultValue = "local", description = "deployment name in the plans and metric labels (default ${DEFAULT-VALUE})")
  String name;

  @Option(names = "--out", required = true, description = "directory to write the shard plans into (created if missing)")
  Path out;

  @Override
  protected int execute() throws IOException, PlanException, ModelException {
    List<ShardPlan> plans;
    try {
      ModelDirectory directory = ModelDirectory.open(model.path());
      int modelLayers = directory.manifest().dimensions().layers();
      List<LayerRange> ranges = LocalShardPlans.parseLayers(layers, modelLayers);
      List<Integer> layerBits = bits.perLayer(directory);
      for (int layer = 0; layer < modelLayers; layer++) {
        directory.layer(layer, layerBits.get(layer));
      }
      plans =
          LocalShardPlans.build(
              name,
              model.path().toAbsolutePath().normalize().toUri().toString(),
              ranges,
              layerBits,
              parseCut(cut, rho),
              keepTokensOnOrigin,
              new Ports(host, grpcPort, httpPort));
    } catch (IllegalArgumentException e) {
      // The flag parsers name the flag in their message; it is the user's input to fix.
      throw new PlanException(e.getMessage());
    }
    Files.createDirectories(out);
    PrintWriter stdout = out();
    Ports ports = new Ports(host, grpcPort, httpPort);
    stdout.printf("wrote %d shard plans for %s into %s; start each shard (the head last is fine, it waits for the chain):%n", plans.size(), model.path(), out);
    for (ShardPlan plan : plans) {
      Path file = out.resolve("shard-" + plan.shardIndex() + ".json");
      Files.writeString(file, ContractJson.write(plan));
      int i = plan.shardIndex();
      stdout.printf(
          "  shard-worker serve --plan %s --bind %s%s --http-port %d    # layers %s%s%n",
          file,
          host,
          plan.head() ? "" : " --grpc-port " + ports.grpc(i),
          ports.http(i),
          new LayerRange(plan.firstLayer(), plan.lastLayer()),
          plan.head() ? ", head: POST http://" + host + ":" + ports.http(i) + "/v1/completions" : "");
    }
    stdout.flush();
    return ExitCode.OK;
  }

  static CutQuantization parseCut(String text, double rho) {
    if (!(rho >= 0 && rho <= 1)) {
      throw new IllegalArgumentException("--rho: " + rho + " is outside [0, 1]");
    }
    if (text.trim().equals("16")) {
      return CutQuantization.none();
    }
    String[] widths = text.split("/", -1);
    if (widths.length == 2) {
      try {
        int high = Integer.parseInt(widths[0].trim());
        int low = Integer.parseInt(widths[1].trim());
        if ((high == 8 || high == 4) && (low == 8 || low == 4)) {
          return new CutQuantization(rho, high, low);
        }
      } catch (NumberFormatException notANumber) {
        // reported below
      }
    }
    throw new IllegalArgumentException("--cut: '" + text + "' must be 16, or HIGH/LOW with 8 or 4 each (e.g. 8/4)");
  }
}
