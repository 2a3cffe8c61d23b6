package io.dilemma.cli;

import java.util.Locale;

/** Durations for people: s, ms or µs, three significant digits. */
public final class Seconds {
  private Seconds() {}

  public static String human(double seconds) {
    if (seconds == 0) return "0 s";
    if (Double.isNaN(seconds)) return "n/a";
    double abs = Math.abs(seconds);
    if (abs >= 1) return String.format(Locale.ROOT, "%.3g s", seconds);
    if (abs >= 1e-3) return String.format(Locale.ROOT, "%.3g ms", seconds * 1e3);
    return String.format(Locale.ROOT, "%.3g µs", seconds * 1e6);
  }
}
