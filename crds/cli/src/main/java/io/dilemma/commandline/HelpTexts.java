package io.dilemma.commandline;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The convention's rule for {@code --help}: every command says what it does in a whole first
 * sentence (the line a command list shows), and every option and parameter says what it is for.
 * Each jar's tests run {@link #gaps} over its command tree.
 */
public final class HelpTexts {
  private HelpTexts() {}

  /** What is missing, one entry per gap, e.g. {@code "shard-worker synth --seed: no description"}. */
  public static List<String> gaps(CommandLine root) {
    List<String> gaps = new ArrayList<>();
    collect(root, gaps);
    return gaps;
  }

  private static void collect(CommandLine line, List<String> gaps) {
    CommandSpec spec = line.getCommandSpec();
    String name = spec.qualifiedName();
    String[] description = spec.usageMessage().description();
    if (description.length == 0 || description[0].isBlank()) {
      gaps.add(name + ": no description");
    } else if (!endsASentence(description[0])) {
      gaps.add(name + ": the first description line is not a whole sentence: " + description[0]);
    }
    for (ArgSpec arg : spec.args()) {
      if (blank(arg.description())) gaps.add(name + " " + label(arg) + ": no description");
    }
    line.getSubcommands().values().forEach(child -> collect(child, gaps));
  }

  private static boolean endsASentence(String line) {
    String end = line.strip();
    return end.endsWith(".") || end.endsWith(".)") || end.endsWith("!") || end.endsWith("?");
  }

  private static boolean blank(String[] lines) {
    for (String l : lines) if (!l.isBlank()) return false;
    return true;
  }

  private static String label(ArgSpec arg) {
    return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
  }
}
