package nnc.compiler.autodiff;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.GradientRules;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Meta;
import nnc.compiler.ir.Node;

/**
 * Reverse-mode differentiation, graph to graph. Walks the nodes between a scalar and the nodes
 * to differentiate with respect to, from the scalar back, applying each op's VJP rule and
 * summing the contributions of fan-out. The result is ordinary IR built with the same builder,
 * so it can be printed, optimized, compiled, and differentiated again.
 *
 * <p>Nodes off every path to a wrt-node are never visited, no zero cotangent is ever built
 * (an absent map entry is the zero), and {@link Control.StopGradient} ends a path.
 */
public final class Autodiff {
  private Autodiff() {}

  /**
   * The gradient of scalar {@code y} with respect to each of {@code wrt}, in order; a wrt-node
   * that {@code y} does not depend on is absent from the result.
   */
  public static Map<Node, Node> grad(IrBuilder b, Node y, List<Node> wrt) {
    if (y.shape().rank() != 0) throw new IllegalArgumentException("grad of a non-scalar " + y.type());
    List<Node> order = Graph.topoOrder(List.of(y));
    Set<Node> onPath = pathsTo(order, wrt);
    Map<Node, Node> cotangent = new IdentityHashMap<>();
    Meta outer = b.meta();
    try {
      if (onPath.contains(y)) {
        b.setMeta(new Meta(y.meta().span(), y, "seed"));
        cotangent.put(y, b.scalar(1, y));
      }
      for (int k = order.size() - 1; k >= 0; k--) {
        Node n = order.get(k);
        Node g = cotangent.get(n);
        if (g == null || n.inputs().isEmpty()) continue;
        b.setMeta(new Meta(n.meta().span(), n, GradientRules.ruleName(n)));
        Node[] contributions = GradientRules.vjp(b, n, g);
        for (int i = 0; i < contributions.length; i++) {
          Node in = n.inputs().get(i);
          Node c = contributions[i];
          if (c == null || !onPath.contains(in)) continue;
          Node old = cotangent.get(in);
          cotangent.put(in, old == null ? c : b.add(old, c));
        }
      }
    } finally {
      b.setMeta(outer);
    }
    Map<Node, Node> out = new LinkedHashMap<>();
    for (Node w : wrt) if (cotangent.containsKey(w)) out.put(w, cotangent.get(w));
    return out;
  }

  /** Nodes of {@code order} (operands first) from which some wrt-node is reachable, not crossing stop_gradient. */
  private static Set<Node> pathsTo(List<Node> order, List<Node> wrt) {
    Set<Node> on = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Node> targets = Collections.newSetFromMap(new IdentityHashMap<>());
    targets.addAll(wrt);
    for (Node n : order) {
      if (targets.contains(n)) {
        on.add(n);
        continue;
      }
      if (n instanceof Control.StopGradient) continue;
      for (Node in : n.inputs()) {
        if (on.contains(in)) {
          on.add(n);
          break;
        }
      }
    }
    return on;
  }
}
