package nnc.compiler.passes;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;

/**
 * Cancelling a quotient against the factor it is multiplied by: {@code (g / s) * s = g} and
 * {@code (g / p) * (p * q) = g * q}, through negations and into sums (distributing the factor
 * over the terms that do not cancel). Valid where the divisor is non-zero, so only for divisors
 * known positive ({@link Match#positive}): reverse mode writes these products for log∘softmax,
 * log∘sigmoid and binary cross-entropy, and it is the quotient that turns an underflowed
 * probability into 0 * inf = NaN.
 */
final class Cancel {
  private Cancel() {}

  /** How deep into sums and negations a quotient is looked for. */
  private static final int MAX_DEPTH = 4;

  /** {@code t * f} without a quotient of t that f cancels, or null when f cancels none. */
  static Node cancel(Node t, Node f, IrBuilder b) {
    return cancel(t, f, b, 0);
  }

  private static Node cancel(Node t, Node f, IrBuilder b, int depth) {
    if (depth > MAX_DEPTH) return null;
    return switch (t) {
      case Elementwise.Binary d when d.op() == BinaryOp.DIV && Match.positive(d.b()) -> quotient(d, f, b);
      case Elementwise.Unary u when u.op() == nnc.compiler.ir.UnaryOp.NEG -> {
        Node r = cancel(u.x(), f, b, depth + 1);
        yield r == null ? null : b.neg(r);
      }
      case Elementwise.Binary s when s.op() == BinaryOp.ADD || s.op() == BinaryOp.SUB -> {
        Node l = cancel(s.a(), f, b, depth + 1), r = cancel(s.b(), f, b, depth + 1);
        if (l == null && r == null) yield null;
        yield b.binary(s.op(), l != null ? l : b.mul(s.a(), f), r != null ? r : b.mul(s.b(), f));
      }
      default -> null;
    };
  }

  /** {@code (w / p) * f} for f = p or f = p * q (either order): w, or w * q; else null. */
  private static Node quotient(Elementwise.Binary d, Node f, IrBuilder b) {
    Node w = d.a(), p = d.b();
    if (f == p) return w;
    Elementwise.Binary m = Match.binary(f, BinaryOp.MUL);
    Node q = m == null ? null : Match.besides(m, p);
    return q == null ? null : b.mul(w, q);
  }
}
