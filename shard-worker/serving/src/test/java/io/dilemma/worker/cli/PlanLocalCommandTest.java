package io.dilemma.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.serving.it.TinyModel;
import io.dilemma.worker.serving.plan.ShardPlanFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanLocalCommandTest {
  @TempDir Path out;


  private CapturedRun last;

  private int run(String... args) {
    last = CapturedRun.of(ShardWorkerCli.commandLine(), args);
    return last.exitCode();
  }

  @Test
  void writesOnePlanPerRangeThatServeAcceptsAndPrintsTheServeCommands() throws Exception {
    Path model = TinyModel.dir();
    int exit = run("plan-local", "--model", model.toString(), "--layers", "0-1,2-3", "--cut", "8/4", "--rho", "0.5", "--out", out.toString());

    assertThat(exit).as(last.err()).isZero();
    ShardPlan head = ShardPlanFile.read(out.resolve("shard-0.json"));
    ShardPlan tail = ShardPlanFile.read(out.resolve("shard-1.json"));
    assertThat(head.firstLayer()).isZero();
    assertThat(head.lastLayer()).isEqualTo(1);
    assertThat(head.nextShard()).isEqualTo("127.0.0.1:50051");
    assertThat(head.outgoingCut().rho()).isEqualTo(0.5);
    assertThat(head.model().uri()).isEqualTo(model.toUri().toString());
    assertThat(tail.lmHead()).isTrue();
    assertThat(tail.layerBits()).containsExactly(32, 32);
    assertThat(last.out())
        .contains("serve --plan " + out.resolve("shard-1.json") + " --bind 127.0.0.1 --grpc-port 50051 --http-port 8081")
        .contains("serve --plan " + out.resolve("shard-0.json") + " --bind 127.0.0.1 --http-port 8080");
  }

  @Test
  void aBitWidthTheModelDoesNotHoldIsBadInputBeforeAnyFileIsWritten() throws Exception {
    int exit = run("plan-local", "--model", TinyModel.dir().toString(), "--layers", "0-3", "--bits", "4", "--out", out.resolve("p").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(last.err()).contains("layer 0 has no 4-bit file").contains("pack");
    assertThat(Files.exists(out.resolve("p"))).isFalse();
  }

  @Test
  void aSplitThatMissesLayersIsBadInput() throws Exception {
    int exit = run("plan-local", "--model", TinyModel.dir().toString(), "--layers", "0-1", "--out", out.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(last.err().trim()).isEqualTo("shard-worker plan-local: --layers: covers layers 0-1 but the model has layers 0-3");
  }
}
