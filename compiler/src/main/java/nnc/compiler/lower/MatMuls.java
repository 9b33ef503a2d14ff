package nnc.compiler.lower;

import java.util.List;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * Matrix products as calls of the runtime's register-blocked kernel ({@link St.Gemm}, {@code
 * nnc.runtime.kernels.Gemm}): one call per matrix of the batch axes, which broadcast like
 * elementwise operands. A transpose of the last two axes feeding only matrix products is never
 * materialized ({@link Fusion#isAbsorbed}): the product reads its operand's buffer with the
 * kernel's transposition flag, which is how the backward pass's {@code G W^T} and {@code X^T G}
 * cost no copy.
 */
final class MatMuls {
  private MatMuls() {}

  /** An operand as the kernel reads it: the node whose buffer holds it, and whether that is its transpose. */
  record Operand(Node stored, boolean transposed) {}

  static Operand operand(EntryLowering e, Node x) {
    if (x instanceof Movement.Transpose t && e.isAbsorbed(t)) return new Operand(t.x(), true);
    return new Operand(x, false);
  }

  /** The stored nodes a product reads (for live ranges): its operands through absorbed transposes. */
  static List<Node> reads(EntryLowering e, Linalg.MatMul m) {
    return List.of(operand(e, m.a()).stored(), operand(e, m.b()).stored());
  }

  static List<St> lower(EntryLowering e, Linalg.MatMul m, Buffer out) {
    return lower(e, m, out, false, Fx.c(1));
  }

  /**
   * C = A B, or with {@code accumulate} C += alpha * (A B): the SGD step fused into a weight
   * gradient, {@code W += (-lr) * (X^T G)}, where the gradient is never stored.
   */
  static List<St> lower(EntryLowering e, Linalg.MatMul m, Buffer out, boolean accumulate, Fx alpha) {
    Shape cs = m.shape();
    int r = cs.rank();
    Shape batch = new Shape(cs.dims().subList(0, r - 2));
    Ix mDim = e.layout.dim(cs.get(r - 2)), nDim = e.layout.dim(cs.get(r - 1));
    Ix kDim = e.layout.dim(m.a().shape().get(m.a().shape().rank() - 1));
    Operand a = operand(e, m.a()), b = operand(e, m.b());
    Buffer ab = e.buffer(a.stored()), bb = e.buffer(b.stored());
    return Loops.nest(e.layout, batch, "b", bidx -> {
      Ix aBase = batchOffset(e, a.stored(), batch, bidx), bBase = batchOffset(e, b.stored(), batch, bidx);
      Ix cBase = Ix.add(e.offset(out), Ix.mul(Loops.dot(bidx, e.layout.strides(batch)), Ix.mul(mDim, nDim)));
      return List.of(new St.Gemm(ab.space(), aBase, bb.space(), bBase, out.space(), cBase, mDim, nDim, kDim,
          a.transposed(), b.transposed(), accumulate, alpha));
    });
  }

  /** What a product reads for operand x: the source of a transpose of the last two axes, else x. */
  static Node source(Node x) {
    return x instanceof Movement.Transpose t && swapsLastTwo(t) ? t.x() : x;
  }

  /** Whether a transpose swaps exactly the last two axes (what the kernel's flags express). */
  static boolean swapsLastTwo(Movement.Transpose t) {
    List<Integer> p = t.perm();
    int r = p.size();
    if (r < 2 || p.get(r - 1) != r - 2 || p.get(r - 2) != r - 1) return false;
    for (int i = 0; i < r - 2; i++) if (p.get(i) != i) return false;
    return true;
  }

  /** Offset of the matrix for batch coordinate {@code bidx} in operand x (broadcast batch axes). */
  private static Ix batchOffset(EntryLowering e, Node x, Shape batch, Ix[] bidx) {
    Shape xs = x.shape();
    int xb = xs.rank() - 2;
    Ix[] st = e.layout.strides(xs);
    Ix at = e.offset(e.buffer(x));
    int shift = batch.rank() - xb;
    for (int i = 0; i < xb; i++) {
      boolean broadcast = xs.get(i).isOne() && !batch.get(i + shift).isOne();
      if (!broadcast) at = Ix.add(at, Ix.mul(bidx[i + shift], st[i]));
    }
    return at;
  }
}
