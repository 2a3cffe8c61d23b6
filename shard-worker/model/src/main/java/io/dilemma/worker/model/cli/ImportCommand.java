package io.dilemma.worker.model.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.worker.model.format.ModelDirectoryWriter;
import io.dilemma.worker.model.importer.HfOptImporter;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.tokenizer.TokenizerFiles;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "import",
    description = "Turn a Hugging Face OPT checkpoint (config.json + model.safetensors [+ vocab.json, merges.txt]) into a model directory.")
public final class ImportCommand extends DilemmaCommand {
  @Option(names = "--checkpoint", required = true, description = "directory with config.json and model.safetensors")
  Path checkpoint;

  @Mixin WrittenModelOptions written;

  @Option(names = "--name", description = "model name (default: the checkpoint directory's name)")
  String name;

  @Override
  protected int execute() throws Exception {
    Path out = written.out;
    OptWeights weights = HfOptImporter.read(checkpoint.resolve("config.json"), checkpoint.resolve("model.safetensors"));
    Files.createDirectories(out);
    TokenizerFiles tokenizer = null;
    Path vocab = checkpoint.resolve("vocab.json");
    Path merges = checkpoint.resolve("merges.txt");
    if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
      BpeTokenizer.load(vocab, merges);
      tokenizer = new TokenizerFiles("vocab.json", "merges.txt");
      Files.copy(vocab, out.resolve(tokenizer.vocab()), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(merges, out.resolve(tokenizer.merges()), StandardCopyOption.REPLACE_EXISTING);
    }
    List<Integer> variants = written.widths();
    int layers = weights.dimensions().layers();
    ProgressBar progress = new ProgressBar(err(), "import", layers);
    int master = variants.stream().mapToInt(Integer::intValue).max().orElseThrow();
    ModelDirectoryWriter.write(
        out,
        name == null ? checkpoint.toAbsolutePath().getFileName().toString() : name,
        weights,
        Collections.nCopies(layers, variants),
        master >= 32 ? 32 : 16,
        master,
        tokenizer,
        layer -> progress.step());
    progress.done();
    out().printf("imported %d layers (d=%d) from %s into %s%n", layers, weights.dimensions().hiddenSize(), checkpoint, out);
    return ExitCode.OK;
  }
}
