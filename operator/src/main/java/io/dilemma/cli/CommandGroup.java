package io.dilemma.cli;

import java.util.List;
import java.util.function.Supplier;

/** A command whose subcommands are listed in code, so adding one is a one-line edit. */
public interface CommandGroup extends Runnable {
  List<Supplier<Object>> subcommands();
}
