package nnc.compiler.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Verifier;

/**
 * The graph optimizer: the passes, in the order they run, each with the reason it is where it
 * is. Forward and gradient graphs go through the same pipeline (a gradient graph is ordinary
 * IR). {@link #verifying()} runs the IR verifier on entry and after every pass (the tests always
 * do; {@code -Dnnc.verifyPasses=true} turns it on elsewhere), and {@link #dumpAfter} hands the
 * graph as it is after a named pass to a sink ({@code nnc graph --dump-after PASS}).
 */
public final class Pipeline {
  /** A pass and why it runs at its place. */
  public record Step(Pass pass, String reason) {}

  public static final List<Step> STEPS = List.of(
      new Step(new FoldConstants(), "evaluate constant sub-expressions (autodiff's 2 - 1 in x^2) so the rules after it see literals"),
      new Step(new Stabilize(), "replace fragile compositions and the gradients autodiff derived from them, before simplification reshapes those patterns"),
      new Step(new Simplify(), "canonical form: identities, gathered constants, strength reduction, collapsed and absorbed movement"),
      new Step(new CommonSubexpressions(), "merge structurally equal nodes that the rewrites built apart"),
      new Step(new DeadCode(), "keep only the named values the roots still use"));

  /** The graph after the pipeline (outputs and objective rewritten), and the caller's extra roots rewritten. */
  public record Optimized(Graph graph, Map<String, Node> roots, Report report) {}

  /** Node counts (everything reachable from the roots, leaves and constants included) around one pass. */
  public record PassCount(String pass, int before, int after) {}

  public record Report(List<PassCount> passes) {
    public Report {
      passes = List.copyOf(passes);
    }

    public int before() {
      return passes.isEmpty() ? 0 : passes.get(0).before();
    }

    public int after() {
      return passes.isEmpty() ? 0 : passes.get(passes.size() - 1).after();
    }

    /** One line a pass: {@code simplify  64 -> 41}. */
    public String table() {
      StringBuilder sb = new StringBuilder();
      for (PassCount p : passes) sb.append(String.format("  %-10s %5d -> %5d nodes%n", p.pass(), p.before(), p.after()));
      return sb.toString();
    }
  }

  private final boolean verify;
  private final String dumpAfter;
  private final Consumer<Optimized> dump;

  private Pipeline(boolean verify, String dumpAfter, Consumer<Optimized> dump) {
    this.verify = verify;
    this.dumpAfter = dumpAfter;
    this.dump = dump;
  }

  /** The pipeline, verifying between passes when the system property {@code nnc.verifyPasses} is true. */
  public static Pipeline standard() {
    return new Pipeline(Boolean.getBoolean("nnc.verifyPasses"), null, null);
  }

  /** The standard pipeline on a graph and extra roots. */
  public static Optimized optimize(Graph g, Map<String, Node> roots) {
    return standard().run(g, roots);
  }

  public static List<String> passNames() {
    return STEPS.stream().map(s -> s.pass().name()).toList();
  }

  /** This pipeline with the verifier run on entry and after every pass. */
  public Pipeline verifying() {
    return new Pipeline(true, dumpAfter, dump);
  }

  /** This pipeline, handing the state after pass {@code name} to {@code sink}; an unknown name is an IllegalArgumentException. */
  public Pipeline dumpAfter(String name, Consumer<Optimized> sink) {
    if (!passNames().contains(name)) {
      throw new IllegalArgumentException("--dump-after " + name + ": no such pass (passes: " + String.join(", ", passNames()) + ")");
    }
    return new Pipeline(verify, name, sink);
  }

  /** Optimizes the graph's outputs and training objective. */
  public Optimized run(Graph g) {
    return run(g, Map.of());
  }

  /**
   * Optimizes the graph's outputs and objective together with {@code roots} (gradients, say),
   * which may share nodes with them. The result's graph has the rewritten outputs and objective;
   * its {@code roots} are the rewritten extra roots, by the same names.
   */
  public Optimized run(Graph g, Map<String, Node> roots) {
    Graph work = pack(g, roots);
    check(work, "on entry");
    List<PassCount> counts = new ArrayList<>();
    for (Step step : STEPS) {
      int before = size(work);
      work = step.pass().apply(work);
      counts.add(new PassCount(step.pass().name(), before, size(work)));
      check(work, "after " + step.pass().name());
      if (step.pass().name().equals(dumpAfter)) dump.accept(unpack(work, g, roots, new Report(counts)));
    }
    return unpack(work, g, roots, new Report(counts));
  }

  private void check(Graph work, String when) {
    if (!verify) return;
    List<String> problems = Verifier.check(work, work.roots());
    if (!problems.isEmpty()) {
      throw new IllegalStateException("IR verification failed " + when + ":\n  " + String.join("\n  ", problems));
    }
  }

  private static int size(Graph work) {
    return Graph.topoOrder(Rewriter.roots(work)).size();
  }

  /** One graph whose outputs are the outputs of g followed by the extra roots (by position). */
  private static Graph pack(Graph g, Map<String, Node> roots) {
    Map<String, Node> all = new LinkedHashMap<>();
    for (Node n : g.outputs().values()) all.put("%" + all.size(), n);
    for (Node n : roots.values()) all.put("%" + all.size(), n);
    return new Graph(g.name(), g.inputs(), g.params(), all, g.values(), g.train(), g.builder(), g.states());
  }

  private static Optimized unpack(Graph work, Graph g, Map<String, Node> roots, Report report) {
    List<Node> all = List.copyOf(work.outputs().values());
    Map<String, Node> outputs = new LinkedHashMap<>(), extra = new LinkedHashMap<>();
    int i = 0;
    for (String name : g.outputs().keySet()) outputs.put(name, all.get(i++));
    for (String name : roots.keySet()) extra.put(name, all.get(i++));
    Graph graph = new Graph(g.name(), g.inputs(), g.params(), outputs, work.values(), work.train(), g.builder(), g.states());
    return new Optimized(graph, extra, report);
  }
}
