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
    return lower(e, m, out, true, null);
  }

  /**
   * C = A B, or with {@code zero} false C += scale * (A B): the SGD step fused into a weight
   * gradient, {@code W += (-lr) * (X^T G)}, where the gradient is never stored.
   */
  static List<St> lower(EntryLowering e, Linalg.MatMul m, Buffer out, boolean zero, Fx scale) {
    Shape cs = m.shape();
    int r = cs.rank();
    Shape batch = new Shape(cs.dims().subList(0, r - 2));
    Ix mDim = e.layout.dim(cs.get(r - 2)), nDim = e.layout.dim(cs.get(r - 1));
    Ix kDim = e.layout.dim(m.a().shape().get(m.a().shape().rank() - 1));
    List<St> body = new ArrayList<>();
    if (zero) {
      body.add(new St.ElementLoop("z", Ix.c(0), e.layout.size(cs),
          List.of(new St.Store(out.space(), Ix.add(e.offset(out), Ix.v("z")), Fx.c(0), false))));
    }
    body.addAll(Loops.nest(e.layout, batch, "b", bidx -> {
      Ix aBase = batchOffset(e, m.a(), batch, bidx), bBase = batchOffset(e, m.b(), batch, bidx);
      Ix cBase = Ix.add(e.offset(out), Ix.mul(Loops.dot(bidx, e.layout.strides(batch)), Ix.mul(mDim, nDim)));
      return rows(e, m, out, aBase, bBase, cBase, mDim, kDim, nDim, scale);
    }));
    return body;
  }

  /** Rows of C handled together: each row of B is then read from memory once per ROWS rows of A. */
  static final int ROWS = 4;

  /**
   * C[i, :] += A[i, k] * B[k, :] with the rows of C in blocks of {@link #ROWS} (then the remaining
   * rows one by one), so that a row of B, once loaded, feeds four accumulating vector loops.
   */
  private static List<St> rows(EntryLowering e, Linalg.MatMul m, Buffer out, Ix aBase, Ix bBase, Ix cBase, Ix mDim, Ix kDim, Ix nDim, Fx scale) {
    nnc.compiler.kernel.Space aSpace = e.buffer(m.a()).space(), bSpace = e.buffer(m.b()).space();
    Fx bv = new Fx.Load(bSpace, Ix.add(bBase, Ix.add(Ix.mul(Ix.v("k"), nDim), Ix.v("j"))));
    // Blocked rows: i = ROWS * ib + r.
    List<St> blockBody = new ArrayList<>();
    List<St.Store> stores = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      Ix row = Ix.add(Ix.mul(Ix.v("ib"), Ix.c(ROWS)), Ix.c(r));
      blockBody.add(new St.DeclareFloat("a" + r, scaled(scale, new Fx.Load(aSpace, Ix.add(aBase, Ix.add(Ix.mul(row, kDim), Ix.v("k")))))));
      stores.add(new St.Store(out.space(), Ix.add(cBase, Ix.add(Ix.mul(row, nDim), Ix.v("j"))),
          new Fx.Binary(BinaryOp.MUL, new Fx.Local("a" + r), bv), true));
    }
    blockBody.add(new St.ElementLoop("j", Ix.c(0), nDim, stores));
    Ix blocks = mDim instanceof Ix.Const c ? Ix.c(c.value() / ROWS) : new Ix.Div(mDim, Ix.c(ROWS));
    // The k range in slices of kb rows of B that stay in cache while every row block of A uses them.
    int kb = kDim instanceof Ix.Const kc ? kBlock(kc.value()) : 0;
    Ix kLo = kb > 0 ? Ix.mul(Ix.v("kb"), Ix.c(kb)) : Ix.c(0);
    Ix kHi = kb > 0 ? Ix.add(kLo, Ix.c(kb)) : kDim;
    St blocked = new St.Loop("ib", Ix.c(0), blocks, List.of(new St.Loop("k", kLo, kHi, blockBody)));
    // The remaining rows, one at a time.
    Fx a = new Fx.Load(aSpace, Ix.add(aBase, Ix.add(Ix.mul(Ix.v("i"), kDim), Ix.v("k"))));
    St.Store acc = new St.Store(out.space(), Ix.add(cBase, Ix.add(Ix.mul(Ix.v("i"), nDim), Ix.v("j"))),
        new Fx.Binary(BinaryOp.MUL, new Fx.Local("a"), bv), true);
    St rest = new St.Loop("i", Ix.mul(blocks, Ix.c(ROWS)), mDim, List.of(
        new St.Loop("k", kLo, kHi, List.of(
            new St.DeclareFloat("a", scaled(scale, a)),
            new St.ElementLoop("j", Ix.c(0), nDim, List.of(acc))))));
    if (kb == 0) return List.of(blocked, rest);
    return List.of(new St.Loop("kb", Ix.c(0), Ix.c(((Ix.Const) kDim).value() / kb), List.of(blocked, rest)));
  }

  /**
   * Rows of B per k slice: the largest divisor of K between 32 and 128 (a slice of a 500-wide B
   * is then at most 256 KB, within L2), or 0 (no slicing) for small or awkward K.
   */
  static int kBlock(int k) {
    if (k <= 128) return 0;
    for (int d = 128; d >= 32; d--) if (k % d == 0) return d;
    return 0;
  }

  private static Fx scaled(Fx scale, Fx a) {
    return scale == null ? a : new Fx.Binary(BinaryOp.MUL, scale, a);
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
