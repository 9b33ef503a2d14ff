package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.Window;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * Sliding windows as strided copies. Unfold loops over its output (one load per element, at
 * row {@code p*sh + i*dh} and column {@code q*sw + j*dw} of the image); Fold loops over its input
 * and accumulates into the zeroed image. In both the innermost loop runs over the output column
 * {@code q}, so a stride of 1 gives unit-stride vector code, and a larger stride gives an index
 * with coefficient {@code sw}, which the {@link nnc.compiler.kernel.Vectorizer} leaves scalar.
 * In Fold's inner loop the stores go to distinct addresses ({@code sw >= 1}), which is the
 * independence contract of {@link St.ElementLoop}; overlapping windows meet only across the
 * outer loops, which run in order.
 */
final class Windows {
  private Windows() {}

  static List<St> unfold(EntryLowering e, Window.Unfold u, Buffer out) {
    int r = u.shape().rank();
    Window.Geometry g = u.geometry();
    return Loops.elementwise(e.layout, u.shape(), "i", idx -> {
      Ix[] in = new Ix[r - 2];
      System.arraycopy(idx, 0, in, 0, r - 4);
      in[r - 4] = imageIndex(idx[r - 2], g.sh(), idx[r - 4], g.dh());
      in[r - 3] = imageIndex(idx[r - 1], g.sw(), idx[r - 3], g.dw());
      return List.of(e.store(out, idx, e.load(u.x(), in)));
    });
  }

  static List<St> fold(EntryLowering e, Window.Fold f, Buffer out) {
    Shape xs = f.x().shape();
    int r = xs.rank();
    Window.Geometry g = f.geometry();
    List<St> body = new ArrayList<>();
    body.add(new St.ElementLoop("z", Ix.c(0), e.layout.size(f.shape()),
        List.of(new St.Store(out.space(), Ix.add(e.offset(out), Ix.v("z")), Fx.c(0), false))));
    body.addAll(Loops.elementwise(e.layout, xs, "i", idx -> {
      Ix[] o = new Ix[r - 2];
      System.arraycopy(idx, 0, o, 0, r - 4);
      o[r - 4] = imageIndex(idx[r - 2], g.sh(), idx[r - 4], g.dh());
      o[r - 3] = imageIndex(idx[r - 1], g.sw(), idx[r - 3], g.dw());
      return List.of(new St.Store(out.space(), e.at(out, o), e.load(f.x(), idx), true));
    }));
    return body;
  }

  /** The image coordinate of output position {@code p} and kernel offset {@code i}: p*stride + i*dilation. */
  private static Ix imageIndex(Ix p, int stride, Ix i, int dilation) {
    return Ix.add(Ix.mul(p, Ix.c(stride)), Ix.mul(i, Ix.c(dilation)));
  }
}
