package io.dilemma.planner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An exact branch and bound over the layer chain, tried before CP-SAT.
 *
 * <p>A plan is a chain: layer 0, 1, … each on a node at a bit width, with a ρ at every hop
 * between two nodes. The search places the layers in order, depth first, cheapest bound first.
 * A partial chain (a <em>label</em>: the node of the last layer placed, time so far, quality used,
 * memory used on every node whose memory can bind) is dropped when
 *
 * <ul>
 *   <li>its time plus {@link CompletionBound}'s lower bound on the rest is no better than the best
 *       plan found, or
 *   <li>an earlier label at the same layer and node was no slower, used no more quality and no more
 *       memory on any of those nodes: every completion of the new one completes the old one at
 *       least as well, and the old one's were all searched already.
 * </ul>
 *
 * When the search ends without running out of labels, its best plan is optimal: the time of each
 * plan is summed from the same {@link CostModel} terms as the evaluator's, in doubles, and
 * {@link IlpPlanner} prices the plan through {@link PlanEvaluator} as always. On problems where
 * the bound is weak the label or time limit ends the search and CP-SAT takes over.
 */
final class ChainSearch {
  /** A bound within this share of the best plan is treated as no better (floating-point noise). */
  private static final double TIE = 1e-12;

  /** Relative error the doubles of a summed plan time may carry, far above the real one. */
  static final double TOLERANCE = 1e-9;

  /**
   * @param best the fastest feasible assignment found, or null
   * @param bestSeconds its time as the search summed it, +∞ without one
   * @param proven the search was exhaustive: best is optimal, or null means no plan exists
   * @param goodEnough it stopped at a plan at or below the caller's good-enough time
   * @param boundSeconds a lower bound on every plan's time: the root bound, or bestSeconds when
   *     proven
   * @param labels partial chains expanded
   */
  record Result(
      Assignment best, double bestSeconds, boolean proven, boolean goodEnough, double boundSeconds, long labels) {}

  private final CostModel costs;
  private final List<CompletionBound> bounds;
  private final int n;
  private final int nodes;
  private final int origin;
  private final double budget;
  private final boolean[] tight; // nodes whose memory can bind
  private final long labelLimit;
  private final long deadline; // System.nanoTime() after which the search gives up
  private final double goodEnoughSeconds; // stop at the first plan at or below this
  private boolean goodEnough;
  private final LabelSet[] seen; // [i * nodes + k]
  private final int[] tracked; // the tight nodes, the only memory a label keeps
  private final int[] nodeOf;
  private final int[] bitsOf;
  private final int[] rhoOf;
  private final long[] memory;
  private final double[] slackPrice; // per bound: Σ_k μ_k · (memory left on k)
  private Assignment best;
  private double bestSeconds;
  private long labels;
  private boolean exhausted;

  /**
   * The labels kept at one (layer, node), for the dominance test, in flat arrays: the test scans
   * every kept label at each step, and over a list of records each holding its own memory array it
   * was three quarters of the search's time (opt-6.7b example, sampled). (Kept sorted by time, so
   * that a test could stop at the first slower label, it was no faster.)
   */
  private static final class LabelSet {
    private final int width;
    private int size;
    private double[] seconds = new double[8];
    private double[] quality = new double[8];
    private long[] memory; // size × width, on the tracked nodes

    LabelSet(int width) {
      this.width = width;
      this.memory = new long[8 * width];
    }

    /** Whether a kept label was no slower, used no more quality and no more memory on any node. */
    boolean dominates(double s, double q, long[] used, int[] tracked) {
      for (int j = 0; j < size; j++) {
        if (seconds[j] > s || quality[j] > q) continue;
        int base = j * width;
        int t = 0;
        while (t < width && memory[base + t] <= used[tracked[t]]) t++;
        if (t == width) return true;
      }
      return false;
    }

    void add(double s, double q, long[] used, int[] tracked) {
      if (size == seconds.length) {
        seconds = Arrays.copyOf(seconds, size * 2);
        quality = Arrays.copyOf(quality, size * 2);
        memory = Arrays.copyOf(memory, size * 2 * width);
      }
      seconds[size] = s;
      quality[size] = q;
      for (int t = 0; t < width; t++) memory[size * width + t] = used[tracked[t]];
      size++;
    }
  }

  private ChainSearch(
      CostModel costs, List<CompletionBound> bounds, Assignment incumbent, long labelLimit, Duration timeLimit,
      double goodEnoughSeconds) {
    this.costs = costs;
    this.goodEnoughSeconds = goodEnoughSeconds;
    this.bounds = bounds;
    this.n = costs.layerCount();
    this.nodes = costs.nodeCount();
    this.origin = costs.origin();
    this.budget = withSlack(costs.qualityBudget());
    this.tight = tightNodes(costs);
    this.labelLimit = labelLimit;
    this.deadline = System.nanoTime() + timeLimit.toNanos();
    this.tracked = IntStream.range(0, nodes).filter(k -> tight[k]).toArray();
    this.seen = new LabelSet[(n + 1) * nodes];
    for (int j = 0; j < seen.length; j++) seen[j] = new LabelSet(tracked.length);
    this.nodeOf = new int[n];
    this.bitsOf = new int[n];
    this.rhoOf = new int[n];
    this.memory = new long[nodes];
    this.slackPrice = new double[bounds.size()];
    this.bestSeconds = Double.POSITIVE_INFINITY;
    if (incumbent != null) {
      Evaluation e = PlanEvaluator.evaluate(costs, incumbent);
      if (e.feasible()) {
        best = incumbent;
        bestSeconds = e.time().totalSeconds();
      }
    }
  }

  /** The evaluator's test for "within the budget", as one number. */
  static double withSlack(double budget) {
    return budget + PlanEvaluator.TOLERANCE * Math.max(1.0, Math.abs(budget));
  }

  /**
   * Searches for the optimum, starting from {@code incumbent} (may be null or infeasible), until
   * done, {@code labelLimit} partial chains have been expanded, or {@code timeLimit} has passed.
   */
  static Result run(
      CostModel costs, List<CompletionBound> bounds, Assignment incumbent, long labelLimit, Duration timeLimit,
      double goodEnoughSeconds) {
    ChainSearch search = new ChainSearch(costs, bounds, incumbent, labelLimit, timeLimit, goodEnoughSeconds);
    if (search.bestSeconds * (1 + TOLERANCE) <= goodEnoughSeconds) {
      search.goodEnough = true; // the starting plan already clears it
    } else {
      search.start();
    }
    boolean proven = !search.exhausted && !search.goodEnough;
    double bound = Double.NEGATIVE_INFINITY;
    for (CompletionBound b : bounds) bound = Math.max(bound, b.rootBound());
    return new Result(
        search.best, search.bestSeconds, proven, search.goodEnough, proven ? search.bestSeconds : bound, search.labels);
  }

  /**
   * Partial chains the planner lets the search expand before CP-SAT takes over: enough for the
   * opt-6.7b example's proof (36,333 labels from {@link TwoShardChain}'s plan, 0.15–0.25 s of CPU
   * warm), which CP-SAT takes 2–3 s for. Where the search cannot finish (7B family seed 1,
   * > 300,000 labels) it costs that much more before CP-SAT starts.
   */
  static final long LABEL_LIMIT = 50_000;

  /** Wall time the planner gives the search (at most a quarter of the problem's limit). */
  static final Duration TIME_LIMIT = Duration.ofMillis(500);

  /** Steps of the bound's tables the planner allows, each N · U · (K·B + K²·R). */
  private static final double TABLE_STEPS = 2e7;

  /** Units of the budget while the prices are adjusted (coarse: only the prices matter there). */
  private static final int ASCENT_UNITS = 256;

  /** Price adjustments at most. */
  private static final int ASCENT_ROUNDS = 10;

  /**
   * The search as the planner runs it: one bound, memory priced at the duals of the memory rows in
   * the LP relaxation of {@code ilp} (GLOP), raised by a few rounds of
   * {@link MemoryPrices#ascend}, with the budget in as many units as the step allowance affords (64 to 4,096). (A second bound with
   * memory unpriced cut the labels on the opt-350m example from 3,123 to 1,948 but cost as much
   * time as it saved; 30 rounds of ascent instead of 10 did not change the labels there.)
   */
  static Result solve(CostModel costs, PlacementIlp ilp, Assignment incumbent) {
    Duration limit = costs.problem().options().timeLimit().dividedBy(4);
    Double goodEnough = costs.problem().options().goodEnoughSeconds();
    return solve(
        costs, ilp, incumbent, LABEL_LIMIT, limit.compareTo(TIME_LIMIT) < 0 ? limit : TIME_LIMIT,
        goodEnough == null ? Double.NEGATIVE_INFINITY : goodEnough);
  }

  /**
   * The same with explicit limits; {@code goodEnoughSeconds} stops the search at the first plan at
   * or below it (−∞ to search to the end).
   */
  static Result solve(
      CostModel costs, PlacementIlp ilp, Assignment incumbent, long labelLimit, Duration timeLimit,
      double goodEnoughSeconds) {
    double[] prices = MemoryPrices.fromLp(costs, ilp);
    int k = costs.nodeCount();
    double perUnit = costs.layerCount() * (k * costs.bitOptionCount() + (double) k * k * costs.rhoOptionCount());
    int units = (int) Math.max(64, Math.min(4096, TABLE_STEPS / perUnit));
    int rounds = (int) Math.min(ASCENT_ROUNDS, TABLE_STEPS / (perUnit * ASCENT_UNITS));
    double budget = withSlack(costs.qualityBudget());
    double target = incumbent == null ? Double.NaN : PlanEvaluator.evaluate(costs, incumbent).time().totalSeconds();
    if (rounds > 0 && Double.isFinite(target)) {
      prices = MemoryPrices.ascend(costs, prices, ASCENT_UNITS, budget, rounds, target);
    }
    List<CompletionBound> bounds = List.of(CompletionBound.priced(costs, prices, units, budget));
    return run(costs, bounds, incumbent, labelLimit, timeLimit, goodEnoughSeconds);
  }

  /**
   * Above this many ILP variables the planner goes straight to CP-SAT: on the 70B family (≈9,600
   * variables, 16 nodes whose memory binds) the search never finished within its allowance, and
   * its LP and tables alone cost ~0.3 s there (PLANNER.md).
   */
  static final int MAX_VARIABLES = 5_000;

  /** Whether the planner tries the search: a model small enough, with quality costs ≥ 0. */
  static boolean worthTrying(CostModel costs, PlacementIlp ilp) {
    return ilp.model().variableCount() < MAX_VARIABLES && applies(costs);
  }

  /** Whether the search applies: it counts quality in non-negative units. */
  static boolean applies(CostModel costs) {
    for (int i = 0; i < costs.layerCount(); i++) {
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        if (costs.bitsAvailable(i, b) && !(costs.layerQuality(i, b) >= 0)) return false;
      }
    }
    for (int c = -1; c < costs.layerCount() - 1; c++) {
      for (int r = 0; r < costs.rhoOptionCount(); r++) {
        if (costs.rhoAvailable(c, r) && !(costs.cutQuality(c, r) >= 0)) return false;
      }
    }
    return costs.qualityBudget() >= 0;
  }

  /**
   * Nodes whose memory can bind: every layer at its largest width, the LM head and (on the origin)
   * the embedding would not fit. On the others memory never has to be tracked.
   */
  static boolean[] tightNodes(CostModel costs) {
    long largest = costs.headBytes();
    for (int i = 0; i < costs.layerCount(); i++) {
      long layer = 0;
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        if (costs.bitsAvailable(i, b)) layer = Math.max(layer, costs.layerMemoryBytes(i, b));
      }
      largest += layer;
    }
    boolean[] tight = new boolean[costs.nodeCount()];
    for (int k = 0; k < tight.length; k++) {
      long need = largest + (k == costs.origin() ? costs.embeddingBytes() : 0);
      tight[k] = need > costs.memoryCapacity(k);
    }
    return tight;
  }

  private void start() {
    memory[origin] = costs.embeddingBytes();
    if (memory[origin] > costs.memoryCapacity(origin)) return; // nothing fits: proven, no plan
    for (int t = 0; t < bounds.size(); t++) {
      double sum = 0;
      for (int k = 0; k < nodes; k++) sum += bounds.get(t).price(k) * (costs.memoryCapacity(k) - memory[k]);
      slackPrice[t] = sum;
    }
    expand(0, origin, 0, 0);
  }

  /** Children of one label, kept per depth so the search allocates nothing per step. */
  private static final class Children {
    int size;
    int[] node = new int[16];
    int[] bits = new int[16];
    int[] rho = new int[16];
    double[] seconds = new double[16];
    double[] quality = new double[16];
    double[] bound = new double[16];
    int[] order = new int[16];

    void add(int k, int b, int r, double s, double q, double lb) {
      if (size == node.length) grow();
      node[size] = k;
      bits[size] = b;
      rho[size] = r;
      seconds[size] = s;
      quality[size] = q;
      bound[size] = lb;
      order[size] = size;
      size++;
    }

    private void grow() {
      int length = node.length * 2;
      node = Arrays.copyOf(node, length);
      bits = Arrays.copyOf(bits, length);
      rho = Arrays.copyOf(rho, length);
      seconds = Arrays.copyOf(seconds, length);
      quality = Arrays.copyOf(quality, length);
      bound = Arrays.copyOf(bound, length);
      order = Arrays.copyOf(order, length);
    }

    /**
     * The child with the j-th smallest bound, by selection: most labels expand only their first
     * few children before the bound cuts the rest, so a full sort would be wasted.
     */
    int nextCheapest(int j) {
      int min = j;
      for (int m = j + 1; m < size; m++) if (bound[order[m]] < bound[order[min]]) min = m;
      int chosen = order[min];
      order[min] = order[j];
      order[j] = chosen;
      return chosen;
    }
  }

  private final List<Children> childrenAt = new ArrayList<>();

  /** Places layer i after layer i−1 on {@code previous} (the origin's embedding for i = 0). */
  private void expand(int i, int previous, double seconds, double quality) {
    if (exhausted) return;
    if (++labels > labelLimit || (labels % 256 == 0 && System.nanoTime() > deadline)) {
      exhausted = true;
      return;
    }
    while (childrenAt.size() <= i) childrenAt.add(new Children());
    Children children = childrenAt.get(i);
    children.size = 0;
    boolean last = i == n - 1;
    for (int k = 0; k < nodes; k++) {
      if (i == 0 && costs.problem().options().keepTokensOnOrigin() && k != origin) continue;
      if (k != previous && !costs.linked(previous, k)) continue;
      if (last && !costs.linked(k, origin)) continue;
      for (int b = 0; b < costs.bitOptionCount(); b++) {
        if (!costs.bitsAvailable(i, b)) continue;
        long bytes = costs.layerMemoryBytes(i, b) + (last ? costs.headBytes() : 0);
        if (memory[k] + bytes > costs.memoryCapacity(k)) continue;
        double layerSeconds = seconds + costs.layerTotalSeconds(i, k, b) + (last ? costs.tailTotalSeconds(k) : 0);
        double layerQuality = quality + costs.layerQuality(i, b);
        if (k == previous) {
          offer(children, i, k, b, -1, layerSeconds, layerQuality, bytes);
          continue;
        }
        for (int r = 0; r < costs.rhoOptionCount(); r++) {
          if (!costs.rhoAvailable(i - 1, r)) continue;
          offer(
              children, i, k, b, r,
              layerSeconds + costs.cutTotalSeconds(i - 1, previous, k, r),
              layerQuality + costs.cutQuality(i - 1, r),
              bytes);
        }
      }
    }
    for (int j = 0; j < children.size; j++) {
      int c = children.nextCheapest(j);
      if (children.bound[c] >= bestSeconds * (1 - TIE)) break; // the rest are no better
      int k = children.node[c];
      int b = children.bits[c];
      if (last) {
        best = assignmentWith(i, k, b, children.rho[c]);
        bestSeconds = children.seconds[c];
        if (bestSeconds * (1 + TOLERANCE) <= goodEnoughSeconds) {
          goodEnough = true;
          exhausted = true; // unwinds the search
        }
        break; // the cheapest complete chain among these
      }
      long bytes = costs.layerMemoryBytes(i, b);
      memory[k] += bytes;
      if (!dominated(i + 1, k, children.seconds[c], children.quality[c])) {
        nodeOf[i] = k;
        bitsOf[i] = b;
        rhoOf[i] = children.rho[c];
        for (int t = 0; t < bounds.size(); t++) slackPrice[t] -= bounds.get(t).price(k) * bytes;
        expand(i + 1, k, children.seconds[c], children.quality[c]);
        for (int t = 0; t < bounds.size(); t++) slackPrice[t] += bounds.get(t).price(k) * bytes;
      }
      memory[k] -= bytes;
      if (exhausted) return;
    }
  }

  /** Adds a child if it fits the budget, with its lower bound (exact for a complete chain). */
  private void offer(Children children, int i, int k, int b, int r, double s, double q, long bytes) {
    if (q > budget) return;
    double lb = s;
    if (i < n - 1) {
      for (int t = 0; t < bounds.size(); t++) {
        CompletionBound bound = bounds.get(t);
        int left = bound.unitsLeft(q);
        if (left < 0) return;
        double rest = bound.priced(i + 1, k, left) - (slackPrice[t] - bound.price(k) * bytes);
        lb = Math.max(lb, s + rest);
      }
      if (lb == Double.POSITIVE_INFINITY) return;
    }
    if (lb >= bestSeconds * (1 - TIE)) return;
    children.add(k, b, r, s, q, lb);
  }

  /** Whether an earlier label at (layer i, node k) dominates this one; records it if not. */
  private boolean dominated(int i, int k, double s, double q) {
    LabelSet here = seen[i * nodes + k];
    if (here.dominates(s, q, memory, tracked)) return true;
    here.add(s, q, memory, tracked);
    return false;
  }

  private Assignment assignmentWith(int lastLayer, int k, int b, int r) {
    int[] nodesCopy = nodeOf.clone();
    int[] bitsCopy = bitsOf.clone();
    int[] rhoCopy = rhoOf.clone();
    nodesCopy[lastLayer] = k;
    bitsCopy[lastLayer] = b;
    rhoCopy[lastLayer] = r;
    return new Assignment(nodesCopy, bitsCopy, rhoCopy);
  }
}
