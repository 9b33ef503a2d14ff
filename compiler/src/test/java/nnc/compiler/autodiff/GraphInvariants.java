package nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;

/** Structural properties that every gradient graph built by {@link Autodiff} must have. */
final class GraphInvariants {
  private GraphInvariants() {}

  /** Nodes of the gradient graph that are not part of the forward computation {@code forward}. */
  static List<Node> backwardNodes(Collection<Node> gradients, Node forward) {
    Set<Node> fwd = identitySet(Graph.topoOrder(List.of(forward)));
    List<Node> out = new ArrayList<>();
    for (Node n : Graph.topoOrder(gradients)) if (!fwd.contains(n)) out.add(n);
    return out;
  }

  static Set<Node> identitySet(Collection<Node> nodes) {
    Set<Node> s = Collections.newSetFromMap(new IdentityHashMap<>());
    s.addAll(nodes);
    return s;
  }

  /** Whether {@code n} depends on any of {@code targets}. */
  static boolean dependsOn(Node n, Collection<Node> targets) {
    Set<Node> t = identitySet(targets);
    for (Node m : Graph.topoOrder(List.of(n))) if (t.contains(m)) return true;
    return false;
  }

  /**
   * The invariants of reverse mode, on the nodes a gradient graph adds to the forward graph:
   * every one carries provenance (a forward node and a rule), that forward node lies on a path
   * to a wrt-node (nothing is built for inputs off the path), and no zero tensor is materialized.
   */
  static void check(String what, Node f, Map<Node, Node> grads, List<Node> wrt) {
    for (Node n : backwardNodes(grads.values(), f)) {
      String where = what + ": " + n.opName() + " " + n.type();
      assertFalse(isZeroTensor(n), where + " is a materialized zero tensor");
      // A scalar constant is interned: the seed 1 or a rule's 0 is often the very node the front
      // end built earlier (even an unused one), which keeps the first metadata. The printer
      // writes scalars inline, so they carry no provenance of their own.
      if (n instanceof Leaf.Constant k && k.isScalar()) continue;
      assertTrue(n.meta().isBackward(), where + " carries no backward provenance");
      assertTrue(n.meta().origin() != null, where + " has no origin");
      Node origin = n.meta().origin();
      assertTrue(n.meta().rule().equals("seed") || n.meta().rule().equals(origin.opName()),
          where + ": rule " + n.meta().rule() + " is not its origin's op " + origin.opName());
      assertTrue(dependsOn(origin, wrt), where + " was built by the rule of " + origin.opName()
          + ", which is on no path to a wrt-node");
    }
  }

  /** A constant of rank > 0 that is all zeros, or a broadcast of a zero constant. */
  static boolean isZeroTensor(Node n) {
    if (n instanceof Leaf.Constant k) {
      return !k.isScalar() && Arrays.stream(k.value().values()).allMatch(v -> v == 0);
    }
    return n instanceof Movement.Broadcast br && br.x() instanceof Leaf.Constant k
        && Arrays.stream(k.value().values()).allMatch(v -> v == 0);
  }
}
