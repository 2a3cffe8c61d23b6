package io.dilemma.cli.bench;

import io.dilemma.cli.Seconds;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.planinput.InvalidInputException;
import io.dilemma.planinput.PlanningInputs;
import io.dilemma.planner.Baselines;
import io.dilemma.planner.CostModel;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.IlpPlanner;
import io.dilemma.planner.PlacementIlp;
import io.dilemma.planner.Plan;
import io.dilemma.planner.Planner;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.bench.InstanceFamily;
import io.dilemma.planner.ilp.CpSatBackend;
import io.dilemma.planner.ilp.MpSolverBackend;
import io.dilemma.planner.ilp.SolverStatus;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dilemma bench planner}: CP-SAT against CBC, SCIP and HiGHS on the same ILP, and every
 * baseline against the ILP, on the generated instance families; medians over seeds.
 */
@Command(
    name = "planner",
    description = "Benchmark the planner on generated instance families (see operator/PLANNER.md).")
final class BenchPlannerCommand extends DilemmaCommand {
  @Option(names = "--families", split = ",", description = "PAPER, SEVEN_B, SEVENTY_B, STRESS (default: all)")
  List<InstanceFamily> families = List.of(InstanceFamily.values());

  @Option(
      names = "--examples",
      split = ",",
      description = "example directories (profile.json + cluster.yaml) planned as extra rows, each --seeds times"
          + " (default: deploy/examples/opt-350m-edge and opt-6.7b-edge when run from the repository root; NONE to skip)")
  List<String> examples = List.of("deploy/examples/opt-350m-edge", "deploy/examples/opt-6.7b-edge");

  @Option(names = "--seeds", defaultValue = "3", description = "instances per family (medians over them)")
  int seeds;

  @Option(names = "--cpsat-limit", defaultValue = "10", description = "CP-SAT time limit, seconds")
  double cpSatLimit;

  @Option(names = "--mip-limit", defaultValue = "60", description = "CBC/SCIP/HiGHS time limit, seconds")
  double mipLimit;

  @Option(names = "--workers", defaultValue = "0", description = "CP-SAT workers; 0 = by model size (the default)")
  int workers;

  @Option(names = "--mip", split = ",", description = "MIP solvers to compare (default CBC,SCIP,HIGHS; NONE to skip)")
  List<String> mipSolvers = List.of("CBC", "SCIP", "HIGHS");

  @Option(names = "--no-baselines", description = "skip the baselines")
  boolean noBaselines;

  @Option(names = "--multi-model", description = "also compare JOINT and SEQUENTIAL planning of 3 models")
  boolean multiModel;

  @Option(
      names = "--side-by-side",
      description = "each row twice, alternating per seed: the production planner (chain search first) and CP-SAT alone")
  boolean sideBySide;

  @Option(names = "--quick", description = "1 seed, paper and 7B families, 10 s MIP limit")
  boolean quick;

  @Override
  protected int execute() {
    PrintWriter out = out();
    if (quick) {
      seeds = 1;
      families = List.of(InstanceFamily.PAPER, InstanceFamily.SEVEN_B);
      examples = List.of("NONE");
      mipLimit = Math.min(mipLimit, 10);
    }
    List<MpSolverBackend.Engine> engines = engines();
    out.printf(
        Locale.ROOT,
        "bench planner: %d seed(s), CP-SAT workers %s, limit %.0f s; MIP limit %.0f s; %d cores, load average %.1f%n%n",
        seeds, workers == 0 ? "by model size" : String.valueOf(workers), cpSatLimit, mipLimit,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    List<String> header = new ArrayList<>(List.of("family", "vars", "CP-SAT wall", "CP-SAT CPU", "CP-SAT result"));
    for (MpSolverBackend.Engine e : engines) header.add(e + " time (T÷CP-SAT)");
    if (!noBaselines) {
      header.addAll(List.of("origin 16-bit ÷ILP", "best single node† ÷ILP", "uniform 8-bit ÷ILP", "exo contiguous ÷ILP"));
    }
    out.println("| " + String.join(" | ", header) + " |");
    out.println("|" + " --- |".repeat(header.size()));
    out.flush();
    for (InstanceFamily family : families) {
      rows(out, family.label(), seed -> family.generate(seed, seconds(cpSatLimit)), engines);
    }
    for (String example : examples) {
      if (example.equalsIgnoreCase("NONE")) break;
      Path dir = Path.of(example);
      if (!Files.isDirectory(dir)) {
        out.println("(example " + example + " not found; run from the repository root or pass --examples)");
        continue;
      }
      PlanningProblem problem =
          PlanningInputs.load(PlanningInputs.profileIn(dir), PlanningInputs.clusterIn(dir), null, seconds(cpSatLimit));
      rows(out, dir.getFileName() + " (Q " + problem.qualityBudget() + ")", seed -> problem, engines);
    }
    if (multiModel) out.println(MultiModelBench.run(workers, cpSatLimit));
    out.flush();
    return 0;
  }

  private List<MpSolverBackend.Engine> engines() {
    List<MpSolverBackend.Engine> engines = new ArrayList<>();
    for (String name : mipSolvers) {
      if (name.equalsIgnoreCase("NONE")) return List.of();
      try {
        engines.add(MpSolverBackend.Engine.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(null, "--mip", "unknown solver '" + name + "', expected CBC, SCIP, HIGHS or NONE");
      }
    }
    return engines;
  }

  /**
   * The row of one family or example; with --side-by-side, two rows measured in the same loop, the
   * two planners taking turns on each seed so that load changes hit both alike.
   */
  private void rows(
      PrintWriter out, String label, IntFunction<PlanningProblem> instance, List<MpSolverBackend.Engine> engines) {
    if (!sideBySide) {
      out.println(row(label, instance, engines, new Candidate(new CpSatPlanner(workers))).render(label));
      out.flush();
      return;
    }
    Candidate production = new Candidate(new CpSatPlanner(workers));
    Candidate alone = new Candidate(new IlpPlanner(new CpSatBackend(workers), false));
    RowCells first = row(label, instance, engines, production, alone);
    out.println(first.render(label + ", search first"));
    out.println(alone.cells.render(label + ", CP-SAT alone"));
    out.flush();
  }

  /** A planner measured in a row, and (for the second of two) the cells it collected. */
  private static final class Candidate {
    final Planner planner;
    RowCells cells;

    Candidate(Planner planner) {
      this.planner = planner;
    }
  }

  /** The cells of a row after its label. */
  private record RowCells(List<String> cells) {
    String render(String label) {
      List<String> all = new ArrayList<>(List.of(label));
      all.addAll(cells);
      return "| " + String.join(" | ", all) + " |";
    }
  }

  /** One table row: medians over seeds 1..--seeds of the problems {@code instance} gives. */
  private RowCells row(
      String label, IntFunction<PlanningProblem> instance, List<MpSolverBackend.Engine> engines, Candidate measured,
      Candidate... alongside) {
    Samples[] otherTime = new Samples[alongside.length];
    Samples[] otherCpu = new Samples[alongside.length];
    Samples[] otherGap = new Samples[alongside.length];
    int[] otherOptimal = new int[alongside.length];
    for (int o = 0; o < alongside.length; o++) {
      otherTime[o] = new Samples();
      otherCpu[o] = new Samples();
      otherGap[o] = new Samples();
    }
    Samples cpTime = new Samples();
    Samples cpCpu = new Samples();
    Samples cpGap = new Samples();
    int optimal = 0;
    int bySearch = 0;
    int variables = 0;
    List<Samples> mipTime = new ArrayList<>();
    List<Samples> mipRatio = new ArrayList<>();
    List<int[]> mipFinished = new ArrayList<>();
    for (int e = 0; e < engines.size(); e++) {
      mipTime.add(new Samples());
      mipRatio.add(new Samples());
      mipFinished.add(new int[1]);
    }
    Samples[] baseline = {new Samples(), new Samples(), new Samples(), new Samples()};
    for (int seed = 1; seed <= seeds; seed++) {
      PlanningProblem problem = instance.apply(seed);
      variables = PlacementIlp.build(new CostModel(problem)).model().variableCount();
      for (int o = 0; o < alongside.length; o++) {
        Duration before = processCpu();
        Plan other = alongside[o].planner.plan(problem);
        otherCpu[o].add((processCpu().toNanos() - before.toNanos()) / 1e9);
        otherTime[o].add(other.solver().wallSeconds());
        if (!other.feasible()) continue;
        otherGap[o].add(other.solver().gap());
        if (other.solver().status() == SolverStatus.OPTIMAL) otherOptimal[o]++;
      }
      Duration cpuBefore = processCpu();
      Plan ilp = measured.planner.plan(problem);
      cpCpu.add((processCpu().toNanos() - cpuBefore.toNanos()) / 1e9);
      cpTime.add(ilp.solver().wallSeconds());
      if (!ilp.feasible()) continue;
      cpGap.add(ilp.solver().gap());
      if (ilp.solver().status() == SolverStatus.OPTIMAL) optimal++;
      if (ilp.solver().solver().equals("chain search")) bySearch++;
      double t = ilp.predicted().totalSeconds();
      for (int e = 0; e < engines.size(); e++) {
        Planner mip = new IlpPlanner(new MpSolverBackend(engines.get(e)));
        Plan p = mip.plan(withLimit(problem, mipLimit));
        mipTime.get(e).add(p.solver().wallSeconds());
        if (p.feasible()) mipRatio.get(e).add(p.predicted().totalSeconds() / t);
        if (p.solver().status() == SolverStatus.OPTIMAL) mipFinished.get(e)[0]++;
      }
      if (!noBaselines) {
        List<Baselines.Result> results = new Baselines(new CpSatBackend(workers)).all(withLimit(problem, cpSatLimit));
        for (int j = 0; j < results.size(); j++) baseline[j].addBaseline(results.get(j), t);
      }
    }
    for (int o = 0; o < alongside.length; o++) {
      List<String> other = new ArrayList<>();
      other.add(String.valueOf(variables));
      other.add(otherTime[o].medianSeconds());
      other.add(otherCpu[o].medianSeconds());
      other.add(String.format(Locale.ROOT, "%d/%d optimal, gap %s", otherOptimal[o], seeds, otherGap[o].medianPercent()));
      alongside[o].cells = new RowCells(other);
    }
    List<String> cells = new ArrayList<>();
    cells.add(String.valueOf(variables));
    cells.add(cpTime.medianSeconds());
    cells.add(cpCpu.medianSeconds());
    cells.add(
        String.format(Locale.ROOT, "%d/%d optimal%s, gap %s", optimal, seeds,
            bySearch == 0 ? "" : " (" + bySearch + " by chain search)", cpGap.medianPercent()));
    for (int e = 0; e < engines.size(); e++) {
      cells.add(
          String.format(
              Locale.ROOT, "%s (%s)%s", mipTime.get(e).medianSeconds(), mipRatio.get(e).medianRatio(),
              mipFinished.get(e)[0] == seeds ? "" : " " + mipFinished.get(e)[0] + "/" + seeds + " optimal"));
    }
    if (!noBaselines) for (Samples b : baseline) cells.add(b.medianRatio());
    return new RowCells(cells);
  }

  private static PlanningProblem withLimit(PlanningProblem p, double seconds) {
    var o = p.options();
    return new PlanningProblem(
        p.id(), p.model(), p.cluster(), p.workload(), p.qualityBudget(),
        new PlanningOptions(o.allowedBits(), o.allowedRho(), o.keepTokensOnOrigin(), seconds(seconds), null));
  }

  /** CPU time of the whole process, native solver threads included. */
  private static Duration processCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  static Duration seconds(double s) {
    return Duration.ofMillis((long) (s * 1000));
  }

  /** Values of one column across seeds; a baseline that breaks a constraint is marked with *. */
  private static final class Samples {
    private final List<Double> values = new ArrayList<>();
    private int brokenConstraints;
    private int missing;

    void add(double v) {
      values.add(v);
    }

    void addBaseline(Baselines.Result r, double ilpSeconds) {
      if (r.evaluation() == null) {
        missing++;
        return;
      }
      if (!r.feasible()) brokenConstraints++;
      values.add(r.evaluation().time().totalSeconds() / ilpSeconds);
    }

    private double median() {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (v.length == 0) return Double.NaN;
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    String medianSeconds() {
      return values.isEmpty() ? "n/a" : Seconds.human(median());
    }

    String medianPercent() {
      return values.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.2g%%", 100 * median());
    }

    String medianRatio() {
      if (values.isEmpty()) return missing > 0 ? "none fits" : "n/a";
      String s = String.format(Locale.ROOT, "%.2f×", median());
      if (brokenConstraints > 0) s += "*";
      return s;
    }
  }
}
