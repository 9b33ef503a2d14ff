package nnc.compiler.passes;

import static nnc.compiler.passes.Match.binary;
import static nnc.compiler.passes.Match.unary;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.UnaryOp;

/**
 * Binary cross-entropy of {@code p = sigmoid(z)} in its logits form. After {@link Stabilize}
 * has rewritten log(p) to -softplus(-z) and log(1 - p) to -softplus(z) (and dropped the -100
 * clamps, which only caught log 0), the sum of BCE reads
 * {@code y*(-softplus(-z)) + (1-y)*(-softplus(z))}; since softplus(-z) = softplus(z) - z this is
 * {@code -(softplus(z) - y*z)}, the form binary_cross_entropy_with_logits computes directly.
 */
final class BinaryCrossEntropy {
  private BinaryCrossEntropy() {}

  static Node logitsForm(Elementwise.Binary sum, IrBuilder b) {
    Node r = match(sum.a(), sum.b(), b);
    if (r == null) r = match(sum.b(), sum.a(), b);
    return r == null ? null : Match.as(b, r, sum.type());
  }

  /** {@code pos} = y * -softplus(-z), {@code neg} = (1 - y) * -softplus(z). */
  private static Node match(Node pos, Node neg, IrBuilder b) {
    Elementwise.Binary p = binary(pos, BinaryOp.MUL), q = binary(neg, BinaryOp.MUL);
    if (p == null || q == null) return null;
    for (Node y : new Node[] {p.a(), p.b()}) {
      Node z = unary(unary(unary(Match.besides(p, y), UnaryOp.NEG), UnaryOp.SOFTPLUS), UnaryOp.NEG);
      if (z == null) continue;
      for (Node oneMinusY : new Node[] {q.a(), q.b()}) {
        Elementwise.Binary s = binary(oneMinusY, BinaryOp.SUB);
        Node softplusZ = unary(Match.besides(q, oneMinusY), UnaryOp.NEG);
        if (s != null && Match.isConst(s.a(), 1) && s.b() == y && s.b().shape().equals(s.shape())
            && unary(softplusZ, UnaryOp.SOFTPLUS) == z) {
          return b.neg(b.sub(softplusZ, b.mul(y, z)));
        }
      }
    }
    return null;
  }
}
