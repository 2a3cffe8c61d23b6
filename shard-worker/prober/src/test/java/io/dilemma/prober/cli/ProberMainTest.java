package io.dilemma.prober.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.CapturedRun;
import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.HelpTexts;
import org.junit.jupiter.api.Test;

/** The prober's command line follows the shared convention: one-line errors, exit codes, help. */
class ProberMainTest {
  @Test
  void aFlagThatDoesNotParseIsBadInputInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(),
        "probe", "--node", "n1", "--namespace", "dilemma", "--peer-selector", "app=prober", "--probe-interval", "soon");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("dilemma-prober probe: ")
        .contains("--probe-interval")
        .endsWith("(see 'dilemma-prober probe --help')"));
  }

  @Test
  void aNodeCgroupThatIsNeitherNoneNorAutoNorAPathIsBadInputInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(),
        "probe", "--node", "n1", "--namespace", "dilemma", "--peer-selector", "app=prober", "--node-cgroup", "dilemma/n1");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("dilemma-prober probe: ")
        .contains("--node-cgroup", "'dilemma/n1'"));
  }

  @Test
  void aCgroupRootThatIsNoCgroupTreeIsBadInputNamedInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
    var run = CapturedRun.of(ProberMain.commandLine(),
        "probe", "--node", "n1", "--namespace", "dilemma", "--peer-selector", "app=prober", "--cgroup-root", empty.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .isEqualTo("dilemma-prober probe: " + empty + ": neither cgroup v2 (no cgroup.controllers) nor a v1 cpuacct hierarchy (no */cpuacct.usage)"));
  }

  @Test
  void aPeersEntryWithoutAPortIsBadInputNamedInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(), "probe", "--node", "n1", "--peers", "n1=127.0.0.1:7470,n2=127.0.0.2");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("dilemma-prober probe: ")
        .contains("--peers", "'n2=127.0.0.2'", "NODE=HOST:PORT"));
  }

  @Test
  void aPeersEntryWithAPortOutOfRangeIsBadInputNamedInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(), "probe", "--node", "n1", "--peers", "n2=127.0.0.2:70000");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .contains("--peers", "'n2=127.0.0.2:70000'", "outside 1..65535"));
  }

  @Test
  void peersNamingANodeTwiceAreBadInputInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(), "probe", "--node", "n1", "--peers", "n2=127.0.0.2:7470,n2=127.0.0.3:7470");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .isEqualTo("dilemma-prober probe: --peers names node n2 twice (see 'dilemma-prober probe --help')"));
  }

  @Test
  void peersAndAPeerSelectorTogetherAreBadInputInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(),
        "probe", "--node", "n1", "--peers", "n2=127.0.0.2:7470", "--peer-selector", "app=prober");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .contains("--peers and --peer-selector exclude each other"));
  }

  @Test
  void withoutPeersTheSelectorIsRequiredAndSaidInOneLine() {
    var run = CapturedRun.of(ProberMain.commandLine(), "probe", "--node", "n1", "--namespace", "dilemma");
    assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .contains("--namespace and --peer-selector are required unless --peers is given"));
  }

  @Test
  void everyCommandHasVersionAndDescribedHelp() {
    var version = CapturedRun.of(ProberMain.commandLine(), "--version");
    assertThat(version.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(version.out()).startsWith("dilemma-prober ");
    assertThat(CapturedRun.of(ProberMain.commandLine(), "probe", "--help").exitCode()).isEqualTo(ExitCode.OK);
    assertThat(HelpTexts.gaps(ProberMain.commandLine())).isEmpty();
  }
}
