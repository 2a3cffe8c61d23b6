package io.dilemma.commandline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class DilemmaCommandLineTest {
  static final class WrongField extends RuntimeException implements BadInput {
    WrongField() {
      super("cluster.yaml: nodes[0].memory: expected a quantity, got \"lots\"");
    }
  }

  @Command(name = "work", description = "Fails the way it is told to.")
  static final class Work extends DilemmaCommand {
    @Option(names = "--count", description = "A number.")
    int count;

    @Option(names = "--fail", description = "input, file, bug or none.")
    String fail = "none";

    @Override
    protected int execute() throws Exception {
      switch (fail) {
        case "input" -> throw new WrongField();
        case "file" -> throw new NoSuchFileException("model/manifest.json");
        case "bug" -> throw new IllegalStateException("the index is off\n\tat somewhere");
        default -> {
          out().println("done " + count);
          return count == 0 ? ExitCode.NO_PLAN : ExitCode.OK;
        }
      }
    }
  }

  @Command(name = "tool", description = "A group.")
  static final class Tool implements CommandGroup {
    @Override
    public List<Supplier<Object>> subcommands() {
      return List.of(Work::new);
    }
  }


  private CapturedRun last;

  private int run(String... args) {
    last = CapturedRun.of(DilemmaCommandLine.of(new Tool()), args);
    return last.exitCode();
  }

  @Test
  void aFlagThatDoesNotParseIsOneLineAndBadInput() {
    assertThat(run("work", "--count", "abc")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().lines()).singleElement().asString()
        .startsWith("tool work: ")
        .contains("--count", "abc")
        .endsWith("(see 'tool work --help')");
    assertThat(last.out()).isEmpty();
  }

  @Test
  void anUnknownFlagIsOneLineToo() {
    assertThat(run("work", "--frobnicate")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().lines()).hasSize(1);
  }

  @Test
  void inputTheUserMustFixExitsTwoWithItsMessageAlone() {
    assertThat(run("work", "--fail", "input")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip())
        .isEqualTo("tool work: cluster.yaml: nodes[0].memory: expected a quantity, got \"lots\"");
  }

  @Test
  void aMissingFileIsBadInputAndSaysSo() {
    assertThat(run("work", "--fail", "file")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(last.err().strip()).isEqualTo("tool work: model/manifest.json: no such file or directory");
  }

  @Test
  void anythingElseExitsOneWithOneLineAndNoStackTrace() {
    assertThat(run("work", "--fail", "bug")).isEqualTo(ExitCode.FAILURE);
    assertThat(last.err().strip()).isEqualTo("tool work: IllegalStateException: the index is off");
  }

  @Test
  void theCommandsExitCodeIsKept() {
    assertThat(run("work", "--count", "2")).isEqualTo(ExitCode.OK);
    assertThat(run("work")).isEqualTo(ExitCode.NO_PLAN);
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(run("work", "--help")).isEqualTo(ExitCode.OK);
    assertThat(last.out()).contains("Fails the way it is told to.", "--help", "--count");
    assertThat(DilemmaCommandLine.of(new Tool()).getCommandSpec().findOption("--help")).isNotNull();
  }

  @Command(name = "vague", description = "Cut off in the middle of")
  static final class Vague extends DilemmaCommand {
    @Option(names = "--seed")
    long seed;

    @Override
    protected int execute() {
      return ExitCode.OK;
    }
  }

  @Test
  void helpGapsAreNamedAndAWellDescribedTreeHasNone() {
    assertThat(HelpTexts.gaps(DilemmaCommandLine.of(new Tool()))).isEmpty();
    assertThat(HelpTexts.gaps(DilemmaCommandLine.of(new Vague())))
        .containsExactly(
            "vague: the first description line is not a whole sentence: Cut off in the middle of",
            "vague --seed: no description");
  }

  /** A version provider as a jar registers it: picocli builds it through its public no-argument constructor. */
  public static final class ToolVersion extends ManifestVersion {
    public ToolVersion() {
      super("tool");
    }
  }

  @Command(name = "versioned", versionProvider = ToolVersion.class, description = "Has a version.")
  static final class Versioned implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  void versionNamesTheProgramAndSaysWhenThereIsNoJarManifest() {
    last = CapturedRun.of(DilemmaCommandLine.of(new Versioned()), "--version");
    assertThat(last.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(last.out()).startsWith("tool (development build, no jar manifest) (Java ");
  }
}
