package io.dilemma.cli;

import java.util.Locale;

/** Byte counts for people: binary units, three significant digits. */
final class Bytes {
  private Bytes() {}

  static String human(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.3g %s", value, units[unit]);
  }
}
