package io.dilemma.worker.model.cli;

import java.io.PrintWriter;

/** A one-line text progress bar with an ETA, redrawn in place on stderr. */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final String label;
  private final int total;
  private final long start = System.nanoTime();
  private int done;

  public ProgressBar(PrintWriter out, String label, int total) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    draw();
  }

  public synchronized void step() {
    done = Math.min(total, done + 1);
    draw();
  }

  public synchronized void done() {
    done = total;
    draw();
    out.println();
    out.flush();
  }

  private void draw() {
    int filled = done * WIDTH / total;
    double elapsed = (System.nanoTime() - start) / 1e9;
    String eta = done == 0 ? "?" : String.format("%.0fs", elapsed * (total - done) / done);
    out.printf(
        "\r%s [%s%s] %d/%d %.0fs elapsed, eta %s ",
        label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, elapsed, eta);
    out.flush();
  }
}
