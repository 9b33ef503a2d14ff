package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * Matrix products as the broadcast-a-scalar form {@code C[i, :] += A[i, k] * B[k, :]}: the inner
 * loop runs along contiguous rows of B and C, which the emitters turn into vector FMAs (C2 does
 * not vectorize this loop by itself). Batch axes broadcast like elementwise operands.
 */
final class MatMuls {
  private MatMuls() {}

  static List<St> lower(EntryLowering e, Linalg.MatMul m, Buffer out) {
    Shape cs = m.shape();
    int r = cs.rank();
    Shape batch = new Shape(cs.dims().subList(0, r - 2));
    Ix mDim = e.layout.dim(cs.get(r - 2)), nDim = e.layout.dim(cs.get(r - 1));
    Ix kDim = e.layout.dim(m.a().shape().get(m.a().shape().rank() - 1));
    List<St> body = new ArrayList<>();
    body.add(new St.ElementLoop("z", Ix.c(0), e.layout.size(cs),
        List.of(new St.Store(out.space(), Ix.add(e.offset(out), Ix.v("z")), Fx.c(0), false))));
    body.addAll(Loops.nest(e.layout, batch, "b", bidx -> {
      Ix aBase = batchOffset(e, m.a(), batch, bidx), bBase = batchOffset(e, m.b(), batch, bidx);
      Ix cBase = Ix.add(e.offset(out), Ix.mul(Loops.dot(bidx, e.layout.strides(batch)), Ix.mul(mDim, nDim)));
      Fx a = new Fx.Load(e.buffer(m.a()).space(), Ix.add(aBase, Ix.add(Ix.mul(Ix.v("i"), kDim), Ix.v("k"))));
      Fx bv = new Fx.Load(e.buffer(m.b()).space(), Ix.add(bBase, Ix.add(Ix.mul(Ix.v("k"), nDim), Ix.v("j"))));
      St.Store acc = new St.Store(out.space(), Ix.add(cBase, Ix.add(Ix.mul(Ix.v("i"), nDim), Ix.v("j"))),
          new Fx.Binary(BinaryOp.MUL, new Fx.Local("a"), bv), true);
      return List.of(new St.Loop("i", Ix.c(0), mDim, List.of(
          new St.Loop("k", Ix.c(0), kDim, List.of(
              new St.DeclareFloat("a", a),
              new St.ElementLoop("j", Ix.c(0), nDim, List.of(acc)))))));
    }));
    return body;
  }

  /** Offset of the matrix for batch coordinate {@code bidx} in operand x (broadcast batch axes). */
  private static Ix batchOffset(EntryLowering e, nnc.compiler.ir.Node x, Shape batch, Ix[] bidx) {
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
