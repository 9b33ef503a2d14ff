package nnc.compiler.passes;

import static nnc.compiler.passes.Match.binary;
import static nnc.compiler.passes.Match.isConst;
import static nnc.compiler.passes.Match.unary;

import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Normalizer;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.UnaryOp;

/**
 * Numerical stabilization, whatever form the user wrote: each fragile composition is replaced by
 * its stable equivalent, and so is the gradient that autodiff derived from the fragile form
 * (a gradient graph is usually built before it is optimized, so both sides appear in it).
 *
 * <pre>
 *   log(softmax(x))                  -> log_softmax(x)
 *   log(1 + exp(x)), log1p(exp(x))   -> softplus(x)
 *   log(sigmoid(z)), log(1 - sigmoid(z)) -> -softplus(-z), -softplus(z)
 *   log(sum(exp(x), axes))           -> m + log(sum(exp(x - m), axes)),  m = max(x, axes), gradient stopped
 *   y*(-softplus(-z)) + (1-y)*(-softplus(z)) -> -(softplus(z) - y*z)     (BCE of sigmoid(z): its logits form)
 *   max(-softplus(z), c), c <= -100  -> -softplus(z)   (BCE's clamp of log 0; and its gradient mask)
 *   backward:  (g / s) * s -> g,  (g / s - r) * s -> g - r * s  for s known positive (softmax, sigmoid, ...)
 *              g / (1 + exp(x)) * exp(x) -> g * sigmoid(x)
 *              spread(g / sum(exp(x))) * exp(x) -> spread(g) * exp(x - logsumexp(x))
 * </pre>
 */
final class Stabilize implements Pass {
  /** PyTorch's floor for log-probabilities in binary_cross_entropy; a clamp at or below it only catches log(0). */
  static final double LOG_FLOOR = -100;

  @Override
  public String name() {
    return "stabilize";
  }

  @Override
  public Graph apply(Graph g) {
    return Rewriter.rewrite(g, name(), Stabilize::rule);
  }

  static Node rule(Node n, IrBuilder b) {
    return switch (n) {
      case Elementwise.Unary u when u.op() == UnaryOp.LOG -> log(u.x(), n, b);
      case Elementwise.Unary u when u.op() == UnaryOp.LOG1P && unary(u.x(), UnaryOp.EXP) != null ->
          b.unary(UnaryOp.SOFTPLUS, unary(u.x(), UnaryOp.EXP));
      case Elementwise.Binary m when m.op() == BinaryOp.MUL -> product(m, b);
      case Elementwise.Binary a when a.op() == BinaryOp.ADD -> BinaryCrossEntropy.logitsForm(a, b);
      case Elementwise.Binary x when x.op() == BinaryOp.MAX && isLogFloor(x.a(), x.b()) && x.a().shape().equals(x.shape()) -> x.a();
      // The gradient mask of that clamp: where(-softplus(z) >= c, g, 0) -> g
      case Elementwise.Where w when w.cond() instanceof Elementwise.Binary ge && ge.op() == BinaryOp.GE
          && isLogFloor(ge.a(), ge.b()) && isConst(w.b(), 0) -> Match.as(b, w.a(), w.type());
      default -> null;
    };
  }

  private static Node log(Node x, Node n, IrBuilder b) {
    if (x instanceof Normalizer.Softmax s) return b.logSoftmax(s.x(), s.axis());
    Node e = Match.onePlus(x);
    if (e != null && unary(e, UnaryOp.EXP) != null) return b.unary(UnaryOp.SOFTPLUS, unary(e, UnaryOp.EXP));
    Node z = unary(x, UnaryOp.SIGMOID);
    if (z != null) return b.neg(b.unary(UnaryOp.SOFTPLUS, b.neg(z)));
    Elementwise.Binary oneMinus = binary(x, BinaryOp.SUB);
    if (oneMinus != null && isConst(oneMinus.a(), 1) && unary(oneMinus.b(), UnaryOp.SIGMOID) != null
        && oneMinus.b().shape().equals(x.shape())) {
      return b.neg(b.unary(UnaryOp.SOFTPLUS, unary(oneMinus.b(), UnaryOp.SIGMOID)));
    }
    if (x instanceof Reduction.Reduce r && r.op() == ReduceOp.SUM && unary(r.x(), UnaryOp.EXP) != null
        && !isShifted(unary(r.x(), UnaryOp.EXP))) {
      Node lse = logSumExp(b, r.x(), r.axes());
      return b.reshape(lse, n.shape());
    }
    return null;
  }

  /** The backward forms: a quotient cancelled by the factor it is multiplied with, softplus' and logsumexp's derivatives. */
  private static Node product(Elementwise.Binary m, IrBuilder b) {
    Node r = Cancel.cancel(m.a(), m.b(), b);
    if (r == null) r = Cancel.cancel(m.b(), m.a(), b);
    if (r == null) r = softplusDerivative(m.a(), m.b(), b);
    if (r == null) r = softplusDerivative(m.b(), m.a(), b);
    if (r == null) r = logSumExpDerivative(m.a(), m.b(), b);
    if (r == null) r = logSumExpDerivative(m.b(), m.a(), b);
    return r == null ? null : Match.as(b, r, m.type());
  }

  /** {@code g / (1 + exp(x)) * exp(x)} (the derivative of log(1 + exp x)) is {@code g * sigmoid(x)}. */
  private static Node softplusDerivative(Node quotient, Node e, IrBuilder b) {
    Node x = unary(e, UnaryOp.EXP);
    Elementwise.Binary d = binary(quotient, BinaryOp.DIV);
    if (x == null || d == null || Match.onePlus(d.b()) != e) return null;
    return b.mul(d.a(), b.unary(UnaryOp.SIGMOID, x));
  }

  /**
   * {@code spread(g / sum(exp x)) * exp x}, what autodiff makes of log(sum(exp x)), is
   * {@code spread(g) * exp(x - logsumexp(x))}: the softmax weights without the overflowing sum.
   */
  private static Node logSumExpDerivative(Node spread, Node e, IrBuilder b) {
    Node x = unary(e, UnaryOp.EXP);
    if (x == null) return null;
    Node q = spread;
    while (q instanceof Movement.Broadcast || q instanceof Movement.Reshape) q = q.inputs().get(0);
    Elementwise.Binary d = binary(q, BinaryOp.DIV);
    if (d == null || !(d.b() instanceof Reduction.Reduce s) || s.op() != ReduceOp.SUM || s.x() != e
        || !d.a().shape().equals(d.shape())) {
      return null;
    }
    Node weights = b.unary(UnaryOp.EXP, b.sub(x, logSumExp(b, e, s.axes())));
    return b.mul(replace(spread, d, d.a(), b), weights);
  }

  /** The chain of reshapes and broadcasts {@code chain} with {@code from} at its bottom replaced by {@code to}. */
  private static Node replace(Node chain, Node from, Node to, IrBuilder b) {
    return switch (chain) {
      case Movement.Broadcast x -> b.broadcast(replace(x.x(), from, to, b), x.shape());
      case Movement.Reshape x -> b.reshape(replace(x.x(), from, to, b), x.shape());
      default -> chain == from ? to : chain;
    };
  }

  /**
   * log(sum(exp x)) over {@code axes}, kept as size-1 axes: shift + log(sum(exp(x - shift))),
   * where the shift is the max, or 0 where the max is infinite (x - max would be NaN there, and
   * log(sum(exp x)) is then that infinity anyway). The shift's gradient is stopped: the exact
   * derivative of the expression with respect to it is zero.
   */
  static Node logSumExp(IrBuilder b, Node e, Axes axes) {
    Node x = unary(e, UnaryOp.EXP);
    Node m = b.reduce(ReduceOp.MAX, x, axes, true);
    Node finite = b.binary(BinaryOp.EQ, b.sub(m, m), b.scalar(0, m));
    Node shift = b.stopGradient(b.where(finite, m, b.scalar(0, m)));
    Node sum = b.reduce(ReduceOp.SUM, b.unary(UnaryOp.EXP, b.sub(x, shift)), axes, true);
    return b.add(b.unary(UnaryOp.LOG, sum), shift);
  }

  /** Whether exp's argument is already shifted by a stopped max (so this rewrite's own output is not rewritten again). */
  private static boolean isShifted(Node x) {
    Elementwise.Binary s = binary(x, BinaryOp.SUB);
    return s != null && s.b() instanceof Control.StopGradient;
  }

  /** {@code -softplus(z)} compared with a constant at or below the log floor. */
  private static boolean isLogFloor(Node l, Node c) {
    Double floor = Match.uniform(c);
    return floor != null && floor <= LOG_FLOOR && unary(unary(l, UnaryOp.NEG), UnaryOp.SOFTPLUS) != null;
  }
}
