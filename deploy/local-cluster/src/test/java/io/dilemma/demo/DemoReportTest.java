package io.dilemma.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.planner.PlanStrategy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {
  private static DemoReport replanned() {
    DemoReport report = new DemoReport();
    report.headline("link throttled tenfold: probers 12 s, new plan 20 s");
    report.plan(new DemoReport.Measured("first plan p-1", "pi5-gateway 0-5 @8×6", 0.674, new CompletionTimes(List.of(0.80, 0.70, 0.75))));
    report.plan(new DemoReport.Measured("after the fault p-2", "nuc-office 0-5 @16×6", 1.2, new CompletionTimes(List.of(1.5, 1.3))));
    report.baselines(List.of(new BaselinePredictions.Prediction(PlanStrategy.UNIFORM_8_BITS, 0.721, "pi5-gateway 0-5", null),
        new BaselinePredictions.Prediction(PlanStrategy.MEMORY_PROPORTIONAL, null, "", "pi5-media: 300 MiB over its memory")));
    report.mark("probers saw it", 12.04);
    report.mark("new plan", 20.0);
    report.mark("new plan serving", 41.5);
    report.samples(List.of(new DemoReport.Sample(1.0, 0.7, false), new DemoReport.Sample(30.0, 2.5, true)));
    return report;
  }

  @Test
  void eachPlanHasARowOfItsPredictionMedianP90AndRatio() {
    String html = replanned().html();
    assertThat(html).contains("<tr><td>first plan p-1</td><td>pi5-gateway 0-5 @8×6</td><td>0.674 s</td><td>0.750 s</td><td>0.790 s</td><td>1.11</td></tr>");
    assertThat(html).contains("<tr><td>after the fault p-2</td><td>nuc-office 0-5 @16×6</td><td>1.200 s</td><td>1.400 s</td><td>1.480 s</td><td>1.17</td></tr>");
    // each plan is drawn too: its prediction's bar and its measured median's
    assertThat(html).contains(">predicted 0.674 s</text>", ">measured 0.750 s (p90 0.790)</text>", ">measured 1.400 s (p90 1.480)</text>");
  }

  @Test
  void eachBaselineHasARowWithItsPredictionOrWhyItHasNone() {
    String html = replanned().html();
    assertThat(html).contains("<tr><td>UNIFORM_8_BITS</td><td>0.721 s</td><td>pi5-gateway 0-5</td></tr>");
    assertThat(html).contains("<tr><td>MEMORY_PROPORTIONAL</td><td>no plan</td><td>pi5-media: 300 MiB over its memory</td></tr>");
  }

  @Test
  void eachTimelineEventIsListedAndMarkedOnTheChartWithEachRequestADot() {
    String html = replanned().html();
    assertThat(html).contains("<li>probers saw it: 12.0 s after the fault</li>", "<li>new plan: 20.0 s after the fault</li>",
        "<li>new plan serving: 41.5 s after the fault</li>");
    assertThat(html).contains(">probers saw it</text>", ">new plan</text>", ">new plan serving</text>");
    assertThat(count(html, "<circle ")).isEqualTo(2);
    assertThat(count(html, "fill=\"#d00\"")).as("the failed request's dot").isEqualTo(1);
  }

  @Test
  void aMarkedMomentIsFoundByWhatHappened() {
    DemoReport report = replanned();
    assertThat(report.markedAt("new plan")).isEqualTo(20.0);
    assertThat(report.markedAt("probers saw it")).isEqualTo(12.04);
    assertThat(report.markedAt("never happened")).isNaN();
  }

  @Test
  void withoutRequestsDuringAReplanTheTimelineSaysSo() {
    DemoReport report = new DemoReport();
    report.plan(new DemoReport.Measured("kept p-1", "a 0-1 @8×2", 1.0, new CompletionTimes(List.of(1.0))));
    assertThat(report.html()).contains("<p>no requests during the replan</p>").doesNotContain("<circle ");
  }

  @Test
  void textFromTheClusterIsEscaped() {
    DemoReport report = new DemoReport();
    report.headline("a <b>bold</b> & \"quoted\" fault");
    report.plan(new DemoReport.Measured("plan <p-1>", "x&y 0-1 @8×2", 1.0, new CompletionTimes(List.of(1.0))));
    report.baselines(List.of(new BaselinePredictions.Prediction(PlanStrategy.BEST_SINGLE_NODE, null, "", "node <n> too small")));
    report.mark("seen <here>", 1.0);
    report.samples(List.of(new DemoReport.Sample(1.0, 1.0, false)));
    String html = report.html();
    assertThat(html).contains("<p>a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; fault</p>", "<td>plan &lt;p-1&gt;</td>",
        "<td>x&amp;y 0-1 @8×2</td>", "<td>node &lt;n&gt; too small</td>", "<li>seen &lt;here&gt;: 1.0 s after the fault</li>",
        ">plan &lt;p-1&gt;</text>", ">seen &lt;here&gt;</text>");
    assertThat(html).doesNotContain("<b>", "<p-1>", "<n>", "<here>", "x&y");
  }

  @Test
  void writeStoresThePageAsReportHtml(@TempDir Path dir) throws Exception {
    DemoReport report = replanned();
    Path page = report.write(dir.resolve("demo"));
    assertThat(page).isEqualTo(dir.resolve("demo/report.html"));
    assertThat(Files.readString(page, StandardCharsets.UTF_8)).isEqualTo(report.html());
  }

  private static int count(String text, String what) {
    return (int) Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
  }
}
