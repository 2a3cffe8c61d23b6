package io.dilemma.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Progress lines stamped with the time since the demo began (the script's start, cluster up included). */
final class Progress {
  private final PrintWriter out;
  private final Instant began;

  Progress(PrintWriter out, Instant began) {
    this.out = out;
    this.began = began;
  }

  Instant began() {
    return began;
  }

  double secondsSinceStart() {
    return Duration.between(began, Instant.now()).toMillis() / 1e3;
  }

  void step(String format, Object... args) {
    long s = Duration.between(began, Instant.now()).toSeconds();
    out.printf(Locale.ROOT, "[demo %d:%02d] %s%n", s / 60, s % 60, String.format(Locale.ROOT, format, args));
    out.flush();
  }

  /** Lines as they are, for tables. */
  void block(String text) {
    out.print(text.endsWith("\n") ? text : text + "\n");
    out.flush();
  }
}
