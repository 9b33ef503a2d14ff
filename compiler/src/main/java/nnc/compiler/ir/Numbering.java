package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical order and numbers of a graph's nodes: declared inputs, then parameters, then the
 * remaining nodes in post-order from the roots in their declared order. It depends only on the
 * graph's structure, never on hash order, so printed IR is stable for golden files.
 */
public final class Numbering {
  private final List<Node> order = new ArrayList<>();
  private final Map<Node, Integer> ids = new IdentityHashMap<>();
  private int next;

  private final boolean inline;

  /** Numbers every node, constants included (for DOT and JSON). */
  public Numbering(Graph g, Map<String, Node> roots) {
    this(g, roots, false);
  }

  /** With {@code inlineScalars}, scalar constants get no number and print as literals (the text form). */
  public Numbering(Graph g, Map<String, Node> roots, boolean inlineScalars) {
    this.inline = inlineScalars;
    g.inputs().forEach(this::add);
    g.params().forEach(this::add);
    Graph.topoOrder(roots.values()).forEach(this::add);
  }

  private void add(Node n) {
    if (!ids.containsKey(n)) {
      ids.put(n, inline && isInlined(n) ? -1 : next++);
      order.add(n);
    }
  }

  public List<Node> order() {
    return order;
  }

  public int id(Node n) {
    Integer i = ids.get(n);
    if (i == null) throw new IllegalStateException("node not in graph: " + n.opName());
    return i;
  }

  public boolean contains(Node n) {
    return ids.containsKey(n);
  }

  /** Scalar constants are written inline as operands ({@code mul %3 2}), not as numbered lines. */
  public static boolean isInlined(Node n) {
    return n instanceof Leaf.Constant c && c.isScalar();
  }

  /** How an operand is referred to: {@code %7}, or the literal of an inlined scalar. */
  public String ref(Node n) {
    return inline && isInlined(n) ? ((Leaf.Constant) n).value().toString() : "%" + id(n);
  }
}
