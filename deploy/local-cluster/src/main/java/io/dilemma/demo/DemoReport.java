package io.dilemma.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's report: one self-contained HTML page (inline SVG, no script, nothing fetched, since
 * edge boxes are often offline) with predicted against measured completion time per plan, the
 * baselines' predictions, and the replan timeline.
 */
final class DemoReport {
  /** A plan that served: its prediction and the completion times measured against it. */
  record Measured(String label, String layout, double predicted, CompletionTimes times) {}

  /** A moment of the replan, seconds after the fault. */
  record Mark(String what, double seconds) {}

  /** A request of the client that ran through the replan: when it ended (seconds after the fault) and how long it took. */
  record Sample(double endedAfterThrottle, double seconds, boolean failed) {}

  private final List<Measured> plans = new ArrayList<>();
  private final List<BaselinePredictions.Prediction> baselines = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private String headline = "";

  void plan(Measured m) {
    plans.add(m);
  }

  void baselines(List<BaselinePredictions.Prediction> predictions) {
    baselines.addAll(predictions);
  }

  void mark(String what, double seconds) {
    marks.add(new Mark(what, seconds));
  }

  /** Seconds after the fault of the moment marked {@code what}; NaN when none was. */
  double markedAt(String what) {
    return marks.stream().filter(m -> m.what().equals(what)).mapToDouble(Mark::seconds).findFirst().orElse(Double.NaN);
  }

  void samples(List<Sample> s) {
    samples.addAll(s);
  }

  void headline(String text) {
    headline = text;
  }

  /** Writes {@link #html()} to {@code dir/report.html}; returns that file. */
  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path page = dir.resolve("report.html");
    Files.writeString(page, html(), StandardCharsets.UTF_8);
    return page;
  }

  /** The page of what was recorded so far. */
  String html() {
    StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Dilemma demo</title>"
        + "<style>body{font:14px sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}</style></head><body>");
    h.append("<h1>Dilemma demo</h1><p>").append(escape(headline)).append("</p>");
    h.append("<h2>Predicted and measured completion time, per plan</h2>").append(planBars());
    h.append("<table><tr><th>plan</th><th>layout</th><th>predicted</th><th>measured median</th><th>p90</th><th>median ÷ predicted</th></tr>");
    for (Measured m : plans) {
      h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.3f s</td><td>%.3f s</td><td>%.3f s</td><td>%.2f</td></tr>",
          escape(m.label()), escape(m.layout()), m.predicted(), m.times().median(), m.times().p90(), m.times().median() / m.predicted()));
    }
    h.append("</table><h2>The baselines' predictions on the same cluster</h2><table><tr><th>baseline</th><th>predicted</th><th>layout or why none</th></tr>");
    for (var b : baselines) {
      h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>", b.strategy(),
          b.totalSeconds() == null ? "no plan" : String.format(Locale.ROOT, "%.3f s", b.totalSeconds()),
          escape(b.totalSeconds() == null ? b.refusal() : b.layout())));
    }
    h.append("</table><h2>Replan timeline</h2>").append(timeline()).append("<ul>");
    for (Mark m : marks) h.append(String.format(Locale.ROOT, "<li>%s: %.1f s after the fault</li>", escape(m.what()), m.seconds()));
    return h.append("</ul></body></html>\n").toString();
  }

  private String planBars() {
    double max = plans.stream().mapToDouble(m -> Math.max(m.predicted(), m.times().p90())).max().orElse(1);
    int w = 640, row = 46, left = 170;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\">", w, row * plans.size() + 20));
    for (int i = 0; i < plans.size(); i++) {
      Measured m = plans.get(i);
      int y = 10 + i * row;
      double scale = (w - left - 80) / max;
      s.append(text(4, y + 22, m.label()));
      s.append(bar(left, y, m.predicted() * scale, 16, "#9ab"));
      s.append(text(left + m.predicted() * scale + 4, y + 12, String.format(Locale.ROOT, "predicted %.3f s", m.predicted())));
      s.append(bar(left, y + 20, m.times().median() * scale, 16, "#e83"));
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
          left + m.times().p90() * scale, left + m.times().p90() * scale, y + 20, y + 36));
      s.append(text(left + m.times().p90() * scale + 4, y + 32, String.format(Locale.ROOT, "measured %.3f s (p90 %.3f)", m.times().median(), m.times().p90())));
    }
    return s.append("</svg>").toString();
  }

  private String timeline() {
    if (samples.isEmpty()) return "<p>no requests during the replan</p>";
    double tMax = Math.max(samples.stream().mapToDouble(Sample::endedAfterThrottle).max().orElse(1),
        marks.stream().mapToDouble(Mark::seconds).max().orElse(1)) + 2;
    double tMin = Math.min(0, samples.stream().mapToDouble(x -> x.endedAfterThrottle() - x.seconds()).min().orElse(0)) - 1;
    double yMax = samples.stream().mapToDouble(Sample::seconds).max().orElse(1) * 1.1;
    int w = 640, hgt = 240, left = 50, bottom = 20;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\">", w, hgt + 30));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>", left, hgt - bottom, w, hgt - bottom));
    s.append(text(2, 12, String.format(Locale.ROOT, "%.2f s", yMax)));
    s.append(text(left, hgt - 4, String.format(Locale.ROOT, "seconds after the fault (%.0f to %.0f); dots: completion time of each request", tMin, tMax)));
    for (Sample x : samples) {
      double cx = left + (x.endedAfterThrottle() - tMin) / (tMax - tMin) * (w - left);
      double cy = hgt - bottom - x.seconds() / yMax * (hgt - bottom - 10);
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", cx, cy, x.failed() ? "#d00" : "#36c"));
    }
    for (int i = 0; i < marks.size(); i++) {
      double x = left + (marks.get(i).seconds() - tMin) / (tMax - tMin) * (w - left);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"10\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"4\"/>", x, x, hgt - bottom));
      s.append(text(x + 2, 22 + 14 * i, marks.get(i).what()));
    }
    return s.append("</svg>").toString();
  }

  private static String bar(double x, double y, double width, double height, String fill) {
    return String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x, y, Math.max(1, width), height, fill);
  }

  private static String text(double x, double y, String text) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s</text>", x, y, escape(text));
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
