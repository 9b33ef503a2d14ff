package nnc.compiler.passes;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Meta;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.compiler.ir.TrainSpec;

/**
 * The one driver of every rewriting pass. A sweep rebuilds the DAG bottom-up from the roots:
 * each node is rebuilt over its rewritten operands through the graph's builder (so interning
 * merges what has become equal), then the pass's rule is applied to it until it no longer
 * matches. Sweeps repeat until one fires no rule, so the nodes a replacement built are rewritten
 * too; a rule set that never settles hits {@link #MAX_SWEEPS} and is reported as the bug it is.
 *
 * <p>Invariants: a replacement has exactly the type of the node it replaces (checked), and every
 * node built while rewriting node {@code n} carries {@code n}'s {@link Meta}, so spans and
 * gradient provenance survive optimization.
 */
public final class Rewriter {
  static final int MAX_SWEEPS = 50;
  static final int MAX_LOCAL = 50;

  private Rewriter() {}

  /**
   * A local rewrite: a replacement of the same type built with {@code b}, or null when the rule
   * does not apply. Rules are record-pattern switches whose {@code default} is "no match".
   */
  @FunctionalInterface
  public interface Rule {
    Node apply(Node n, IrBuilder b);

    /** This rule, or where it does not match, {@code next}. */
    default Rule or(Rule next) {
      return (n, b) -> {
        Node r = apply(n, b);
        return r != null ? r : next.apply(n, b);
      };
    }
  }

  /** Rewrites everything reachable from the graph's outputs and objective to a fixed point of {@code rule}. */
  public static Graph rewrite(Graph g, String pass, Rule rule) {
    Graph current = g;
    for (int sweep = 1; ; sweep++) {
      Map<Node, Node> memo = new IdentityHashMap<>();
      boolean fired = sweep(current, pass, rule, memo);
      current = remap(current, memo);
      if (!fired) return current;
      if (sweep == MAX_SWEEPS) throw new IllegalStateException(pass + ": no fixed point after " + MAX_SWEEPS + " sweeps");
    }
  }

  /** The nodes a pass rewrites: the outputs, then the training objective. */
  static List<Node> roots(Graph g) {
    List<Node> roots = new ArrayList<>(g.outputs().values());
    if (g.train() != null) roots.add(g.train().objective());
    return roots;
  }

  private static boolean sweep(Graph g, String pass, Rule rule, Map<Node, Node> memo) {
    IrBuilder b = g.builder();
    Meta outer = b.meta();
    boolean fired = false;
    try {
      for (Node n : Graph.topoOrder(roots(g))) {
        List<Node> in = new ArrayList<>(n.inputs().size());
        for (Node x : n.inputs()) in.add(memo.get(x));
        b.setMeta(n.meta());
        Node r = Rebuild.withInputs(b, n, in);
        for (int k = 0; ; k++) {
          Node next = apply(rule, r, b, pass, n);
          if (next == null || next == r) break;
          if (!next.type().equals(r.type())) {
            throw new IllegalStateException(pass + ": a rule replaced " + r.opName() + " " + r.type() + " by "
                + next.opName() + " " + next.type() + " (" + TextPrinter.comment(n.meta()) + ")");
          }
          if (k == MAX_LOCAL) throw new IllegalStateException(pass + ": rules loop on " + r.opName() + " (" + TextPrinter.comment(n.meta()) + ")");
          r = next;
          fired = true;
        }
        memo.put(n, r);
      }
    } finally {
      b.setMeta(outer);
    }
    return fired;
  }

  /** A rule that builds an ill-typed node is a bug in the rule: reported with the pass and the source location. */
  private static Node apply(Rule rule, Node r, IrBuilder b, String pass, Node origin) {
    try {
      return rule.apply(r, b);
    } catch (IrException e) {
      throw new IllegalStateException(pass + ": a rule failed on " + r.opName() + " " + r.type() + " ("
          + TextPrinter.comment(origin.meta()) + "): " + e.getMessage(), e);
    }
  }

  /** The graph with outputs, objective and named values replaced by their rewritten nodes. */
  static Graph remap(Graph g, Map<Node, Node> memo) {
    Map<String, Node> outputs = new LinkedHashMap<>(), values = new LinkedHashMap<>();
    g.outputs().forEach((k, v) -> outputs.put(k, memo.getOrDefault(v, v)));
    g.values().forEach((k, v) -> values.put(k, memo.getOrDefault(v, v)));
    TrainSpec t = g.train();
    TrainSpec train = t == null ? null
        : new TrainSpec(memo.getOrDefault(t.objective(), t.objective()), t.optimizer(), t.options(), Map.of(), t.span(), t.stateUpdates());
    return new Graph(g.name(), g.inputs(), g.params(), outputs, values, train, g.builder(), g.states());
  }
}
