package nnc.compiler.lower;

import java.util.List;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * {@code reduce_sum(axis 0, matmul(A[B, M, K], B[B, K, N]))} as one call of the runtime's
 * batch-summed product ({@link St.GemmSum}): the weight gradient of a convolution, which
 * autodiff derives as a batch of products {@code G_b cols_b^T} summed over the batch (the IR has
 * no symbolic-times-fixed axis to merge the batch into the contracted one). Operands are read
 * as {@link MatMuls} reads them: through absorbed transposes with the kernel's flags, and an
 * operand without the batch axis (or with size 1 there) is the same matrix for every entry.
 */
final class BatchSums {
  private BatchSums() {}

  static List<St> lower(EntryLowering e, Linalg.MatMul m, Buffer out) {
    Shape cs = m.shape();
    Ix batch = e.layout.dim(cs.get(0)), mDim = e.layout.dim(cs.get(1)), nDim = e.layout.dim(cs.get(2));
    Ix kDim = e.layout.dim(m.a().shape().get(m.a().shape().rank() - 1));
    MatMuls.Operand a = MatMuls.operand(e, m.a()), b = MatMuls.operand(e, m.b());
    Buffer ab = e.buffer(a.stored()), bb = e.buffer(b.stored());
    St.Gemm g = new St.Gemm(ab.space(), e.offset(ab), bb.space(), e.offset(bb), out.space(), e.offset(out), mDim, nDim, kDim,
        a.transposed(), b.transposed(), false, Fx.c(1));
    return List.of(new St.GemmSum(g, batch, batchStride(e, a.stored(), cs), batchStride(e, b.stored(), cs)));
  }

  /** Floats between consecutive batch entries of an operand; 0 when it broadcasts over the batch. */
  private static Ix batchStride(EntryLowering e, Node x, Shape product) {
    Shape xs = x.shape();
    if (xs.rank() < 3 || (xs.get(0).isOne() && !product.get(0).isOne())) return Ix.c(0);
    return e.layout.strides(xs)[0];
  }
}
