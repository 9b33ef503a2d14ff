package nnc.compiler.frontend;

import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.UnaryOp;

/**
 * Layer normalization, RMS normalization, Dynamic Tanh and scaled dot-product attention, written
 * in primitives (so they need no gradient rule of their own). Layer norm uses the biased variance
 * as PyTorch's {@code nn.LayerNorm} does; RMS norm adds eps to the mean square inside the square
 * root, as {@code torch.nn.RMSNorm}, T5 and LLaMA do (eps then bounds the scale 1/sqrt(ms + eps)
 * by 1/sqrt(eps) for an all-zero row, where eps added to the RMS would allow 1/eps).
 */
final class Normalization {
  /**
   * The masked score of a causal attention entry. Not -inf: exp(-1e9 - max) is exactly 0 in f32 and
   * f64 just the same, and no inf - inf can ever appear in the softmax or its gradient.
   */
  static final double MASKED_SCORE = -1e9;

  private Normalization() {}

  static void define() {
    Builtins.def("layer_norm", List.of("x", "gamma=none", "beta=none", "axis=-1", "eps=1e-5"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Axes axes = a.axes("axis", x.shape().rank());
      Node centered = b.sub(x, keptMean(b, x, axes));
      Node variance = keptMean(b, b.mul(centered, centered), axes);
      Node y = b.div(centered, b.unary(UnaryOp.SQRT, b.add(variance, b.scalar(a.number("eps"), x))));
      return Builtins.t(affine(b, a, "layer_norm", y));
    });
    Builtins.def("rms_norm", List.of("x", "gamma=none", "axis=-1", "eps=1e-6"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Axes axes = a.axes("axis", x.shape().rank());
      Node meanSquare = keptMean(b, b.mul(x, x), axes);
      Node y = b.div(x, b.unary(UnaryOp.SQRT, b.add(meanSquare, b.scalar(a.number("eps"), x))));
      return Builtins.t(affine(b, a, "rms_norm", y));
    });
    // Dynamic Tanh (Zhu et al. 2025): gamma * tanh(alpha * x) + beta, a drop-in for layer norm.
    Builtins.def("dyt", List.of("x", "alpha", "gamma", "beta"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node alpha = a.tensorLike("alpha", x);
      Node squashed = b.unary(UnaryOp.TANH, b.mul(alpha, x));
      Node y = b.add(b.mul(squashed, a.tensorLike("gamma", x)), a.tensorLike("beta", x));
      if (!y.shape().equals(x.shape())) {
        throw new IrException("dyt: alpha " + alpha.type() + ", gamma and beta must broadcast to x " + x.type());
      }
      return Builtins.t(y);
    });
    Builtins.def("scaled_dot_product_attention", List.of("q", "k", "v", "causal=false"), (a, b, ex) -> {
      Node q = a.tensor("q");
      return Builtins.t(attention(b, q, a.tensorLike("k", q), a.tensorLike("v", q), a.bool("causal")));
    });
  }

  /**
   * The mean over {@code axes} with those axes kept as size 1, written as a reduction and a
   * reshape: the form the optimizer canonicalizes keepdims reductions to, so that optimizing never
   * grows the graph.
   */
  private static Node keptMean(IrBuilder b, Node x, Axes axes) {
    Node m = Builtins.mean(b, x, axes, false);
    List<Dim> kept = new java.util.ArrayList<>(x.shape().dims());
    for (int a : axes.list()) kept.set(a, Dim.of(1));
    return b.reshape(m, new Shape(kept));
  }

  /** y * gamma + beta for the optional gamma and beta, which must broadcast to y without growing it. */
  private static Node affine(IrBuilder b, Args a, String op, Node y) {
    Node out = y;
    if (a.has("gamma")) out = b.mul(out, a.tensorLike("gamma", y));
    if (a.has("beta")) out = b.add(out, a.tensorLike("beta", y));
    if (!out.shape().equals(y.shape())) {
      throw new IrException(op + ": gamma and beta must broadcast to x " + y.type() + ", giving " + out.type());
    }
    return out;
  }

  /** softmax(q kᵀ / sqrt(d) + causal mask) v for q[..., Tq, d], k[..., Tk, d], v[..., Tk, dv]. */
  static Node attention(IrBuilder b, Node q, Node k, Node v, boolean causal) {
    String what = "scaled_dot_product_attention: q " + q.type() + ", k " + k.type() + ", v " + v.type();
    if (q.shape().rank() < 2 || k.shape().rank() < 2 || v.shape().rank() < 2) throw new IrException(what + ": need rank >= 2");
    Dim d = q.shape().get(q.shape().rank() - 1);
    if (!(d instanceof Dim.Fixed fd)) throw new IrException(what + ": the feature axis of q must be fixed");
    if (!k.shape().get(k.shape().rank() - 2).equals(v.shape().get(v.shape().rank() - 2))) {
      throw new IrException(what + ": k and v must have the same number of keys");
    }
    Node scores = b.mul(b.matmul(q, b.swapLastTwo(k)), b.scalar(1 / Math.sqrt(fd.size()), q));
    if (causal) {
      int r = scores.shape().rank();
      // Query i sees keys j <= i (PyTorch's is_causal: the mask is aligned at the top left).
      Shape square = new Shape(scores.shape().dims().subList(r - 2, r));
      Node visible = b.binary(BinaryOp.LE, b.iota(square, 1), b.iota(square, 0));
      scores = b.where(visible, scores, b.scalar(MASKED_SCORE, scores));
    }
    return b.matmul(b.softmax(scores, scores.shape().rank() - 1), v);
  }
}
