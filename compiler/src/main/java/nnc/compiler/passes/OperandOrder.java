package nnc.compiler.passes;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;

/**
 * The canonical order of the operands of {@code +} and {@code *}, so that {@code a*b} and
 * {@code b*a} intern to one node and rules need to look for constants on one side only:
 * constants last, otherwise the deeper sub-expression first ({@code x @ W + b}), then inputs
 * before parameters, ties broken by name or by a structural fingerprint. The key of a node does not depend on the order of its own commutative
 * operands, so swapping operands never changes another comparison and the rule settles.
 * Fingerprints are built from names, ops, attributes and types only, never identity hashes, so
 * the order (and printed IR) is the same on every run.
 */
final class OperandOrder {
  private final Map<Node, Integer> height = new IdentityHashMap<>();
  private final Map<Node, Long> fingerprint = new IdentityHashMap<>();

  /** Whether {@code b} belongs before {@code a}. */
  boolean swapped(Node a, Node b) {
    boolean ca = a instanceof Leaf.Constant, cb = b instanceof Leaf.Constant;
    if (ca != cb) return ca;
    compute(a);
    compute(b);
    int ha = height.get(a), hb = height.get(b);
    if (ha != hb) return hb > ha;
    int ka = leafRank(a), kb = leafRank(b);
    if (ka != kb) return kb < ka;
    if (a instanceof Leaf.Input x && b instanceof Leaf.Input y) return y.name().compareTo(x.name()) < 0;
    if (a instanceof Leaf.Param x && b instanceof Leaf.Param y) return y.name().compareTo(x.name()) < 0;
    return fingerprint.get(b) < fingerprint.get(a);
  }

  private void compute(Node root) {
    if (height.containsKey(root)) return;
    for (Node n : Graph.topoOrder(List.of(root))) {
      if (height.containsKey(n)) continue;
      int h = 0;
      long f = (n.opName() + " " + n.attributes() + " " + n.type()).hashCode();
      if (n instanceof Elementwise.Binary b && isCommutative(b.op())) {
        long x = fingerprint.get(b.a()), y = fingerprint.get(b.b());
        f = mix(mix(f, Math.min(x, y)), Math.max(x, y));
      } else {
        for (Node in : n.inputs()) f = mix(f, fingerprint.get(in));
      }
      for (Node in : n.inputs()) h = Math.max(h, height.get(in) + 1);
      height.put(n, h);
      fingerprint.put(n, f);
    }
  }

  /** Among leaves: inputs, then parameters (by name), then the rest ({@code x * W}, as usually written). */
  private static int leafRank(Node n) {
    return switch (n) {
      case Leaf.Input i -> 0;
      case Leaf.Param p -> 1;
      default -> 2;
    };
  }

  private static long mix(long h, long x) {
    long z = h * 0x9E3779B97F4A7C15L + x;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 31);
  }

  static boolean isCommutative(BinaryOp op) {
    return op == BinaryOp.ADD || op == BinaryOp.MUL;
  }
}
