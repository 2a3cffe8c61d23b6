package io.dilemma.worker.model.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress with an ETA on stderr. On a terminal, a bar redrawn in place; anywhere else (a log, a
 * pipe, CI) a plain line at each quarter, so logs do not fill with carriage-return redraws.
 */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private static final int PLAIN_LINES = 4;
  private final PrintWriter out;
  private final String label;
  private final int total;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private int done;
  private int plainLinesWritten;

  /** Draws in place only when the process runs on a terminal. */
  public ProgressBar(PrintWriter out, String label, int total) {
    this(out, label, total, System.console() != null);
  }

  ProgressBar(PrintWriter out, String label, int total, boolean terminal) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    this.terminal = terminal;
    if (terminal) draw();
  }

  public synchronized void step() {
    done = Math.min(total, done + 1);
    if (terminal) {
      draw();
    } else if (done * PLAIN_LINES / total > plainLinesWritten) {
      plainLinesWritten = done * PLAIN_LINES / total;
      line();
    }
  }

  public synchronized void done() {
    done = total;
    if (terminal) {
      draw();
      out.println();
    } else if (plainLinesWritten < PLAIN_LINES) {
      plainLinesWritten = PLAIN_LINES;
      line();
    }
    out.flush();
  }

  private void draw() {
    int filled = done * WIDTH / total;
    out.printf(
        Locale.ROOT,
        "\r%s [%s%s] %d/%d %.0fs elapsed, eta %s ",
        label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, elapsed(), eta());
    out.flush();
  }

  private void line() {
    out.printf(
        Locale.ROOT, "%s: %d/%d, %.0fs elapsed%s%n", label, done, total, elapsed(), done == total ? "" : ", eta " + eta());
    out.flush();
  }

  private double elapsed() {
    return (System.nanoTime() - start) / 1e9;
  }

  private String eta() {
    return done == 0 ? "?" : String.format(Locale.ROOT, "%.0fs", elapsed() * (total - done) / done);
  }
}
