package io.dilemma.planinput;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers with units as people write them in cluster files ("6 GiB", "1 Gbit/s", "40 ms",
 * "30 GFLOP/s"). A bare number is taken in the base unit (bytes, bytes/s, seconds, FLOP/s).
 */
public enum Quantity {
  BYTES(
      "a size such as 6 GiB or 512 MB",
      Map.of("b", 1.0, "kb", 1e3, "mb", 1e6, "gb", 1e9, "tb", 1e12, "kib", 1024.0, "mib",
          1024.0 * 1024, "gib", 1024.0 * 1024 * 1024, "tib", 1024.0 * 1024 * 1024 * 1024)),
  BYTES_PER_SECOND(
      "a rate such as 1 Gbit/s, 20 Mbit/s or 10 GB/s",
      Map.ofEntries(
          Map.entry("b/s", 1.0), Map.entry("kb/s", 1e3), Map.entry("mb/s", 1e6),
          Map.entry("gb/s", 1e9), Map.entry("tb/s", 1e12), Map.entry("bit/s", 1 / 8.0),
          Map.entry("kbit/s", 1e3 / 8), Map.entry("mbit/s", 1e6 / 8), Map.entry("gbit/s", 1e9 / 8),
          Map.entry("gib/s", 1024.0 * 1024 * 1024), Map.entry("mib/s", 1024.0 * 1024))),
  SECONDS(
      "a duration such as 40 ms, 250 us or 2 s",
      Map.of("s", 1.0, "ms", 1e-3, "us", 1e-6, "µs", 1e-6, "ns", 1e-9)),
  FLOPS(
      "a throughput such as 30 GFLOP/s",
      Map.of("flop/s", 1.0, "mflop/s", 1e6, "gflop/s", 1e9, "tflop/s", 1e12));

  private static final Pattern FORM = Pattern.compile("\\s*([0-9.eE+-]+)\\s*([^\\s0-9].*)?\\s*");

  private final String example;
  private final Map<String, Double> units;

  Quantity(String example, Map<String, Double> units) {
    this.example = example;
    this.units = units;
  }

  public String example() {
    return example;
  }

  /** The value in base units; throws IllegalArgumentException naming the expected form. */
  public double parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) throw new IllegalArgumentException("expected " + example + ", got '" + text + "'");
    double number;
    try {
      number = Double.parseDouble(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected " + example + ", got '" + text + "'");
    }
    if (m.group(2) == null) return number;
    Double factor = units.get(m.group(2).trim().toLowerCase(Locale.ROOT));
    if (factor == null) {
      throw new IllegalArgumentException(
          "unknown unit '" + m.group(2).trim() + "', expected " + example);
    }
    return number * factor;
  }
}
