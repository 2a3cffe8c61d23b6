package io.dilemma.commandline;

import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * A command whose subcommands are listed in code, so adding one is a one-line edit. Run on its own
 * it prints its usage.
 */
public interface CommandGroup extends Runnable {
  List<Supplier<Object>> subcommands();

  @Override
  default void run() {
    CommandLine.usage(this, System.out);
  }
}
