package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * Reductions over a pooling window: a contiguous group of small fixed axes followed by kept axes,
 * such as the {@code [kh, kw]} axes of an unfolded {@code [N, C, kh, kw, OH, OW]}. For every
 * fixed outer coordinate, each of the W window elements is a contiguous run of the P trailing
 * positions, so the whole reduction is one vector loop over the flattened positions whose body
 * folds the W runs, unrolled:
 * {@code out[o, pos] = op(...op(op(identity, x[o, 0, pos]), x[o, 1, pos])..., x[o, W-1, pos])}.
 * The general lowering ({@link Reductions}) instead vectorizes only the innermost axis (a 14-wide
 * row is shorter than a vector, so it ran scalar) and reads and writes the output once per
 * input element. The order of the fold is the general lowering's, so results are the same bits.
 *
 * <p>{@code first_max_mask} (the gradient routing of max pooling) likewise marks, per position,
 * the first window element equal to the extreme: {@code hit_w = (x_w == ext) * (1 - max(hit
 * conditions of the earlier elements))}, which is the general lowering's running "taken" flag
 * written out.
 */
final class Pools {
  private Pools() {}

  /** Window elements at most this many: the mask's unrolled expression grows with W squared. */
  static final int MAX_WINDOW = 9;

  /** Whether a reduction of {@code x} over {@code axes} has the window form, reading x from its own buffer. */
  static boolean applies(EntryLowering e, Node x, Axes axes) {
    Shape xs = x.shape();
    List<Integer> a = axes.list();
    if (a.isEmpty() || e.computedInPlace(x)) return false;
    int first = a.get(0), last = a.get(a.size() - 1);
    if (last - first + 1 != a.size() || last >= xs.rank() - 1) return false; // contiguous, with kept axes after it
    long w = 1;
    for (int i = first; i <= last; i++) {
      if (!(xs.get(i) instanceof Dim.Fixed f)) return false;
      w *= f.size();
    }
    return w >= 2 && w <= MAX_WINDOW;
  }

  static boolean applies(EntryLowering e, Reduction.Reduce r) {
    return applies(e, r.x(), r.axes());
  }

  /** {@code out[o, pos] = fold of op over the window}, as one vector loop per outer coordinate. */
  static List<St> reduce(EntryLowering e, Reduction.Reduce r, Buffer out) {
    Geometry g = geometry(e, r.x(), r.axes());
    BinaryOp op = switch (r.op()) {
      case SUM -> BinaryOp.ADD;
      case MAX -> BinaryOp.MAX;
      case MIN -> BinaryOp.MIN;
    };
    return loops(e, g, outer -> {
      Fx v = Fx.c((float) r.op().identity());
      for (int w = 0; w < g.window(); w++) v = new Fx.Binary(op, v, load(e, r.x(), outer, g, w));
      // The output is x with the window collapsed: [outer..., P].
      Ix at = Ix.add(Ix.add(e.offset(out), Ix.mul(outer, g.positions())), Ix.v("pos"));
      return List.of(new St.Store(out.space(), at, v, false));
    });
  }

  /** 1 at the first extreme element of each window, per position; one store per window element. */
  static List<St> firstMaxMask(EntryLowering e, Reduction.FirstMaxMask m, Buffer out) {
    Geometry g = geometry(e, m.x(), m.axes());
    ReduceOp op = m.min() ? ReduceOp.MIN : ReduceOp.MAX;
    return loops(e, g, outer -> {
      Fx ext = Fx.c((float) op.identity());
      for (int w = 0; w < g.window(); w++) ext = new Fx.Binary(op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN, ext, load(e, m.x(), outer, g, w));
      List<St.Store> stores = new ArrayList<>();
      Fx taken = Fx.c(0);
      for (int w = 0; w < g.window(); w++) {
        Fx equal = new Fx.Binary(BinaryOp.EQ, load(e, m.x(), outer, g, w), ext);
        Fx hit = new Fx.Binary(BinaryOp.MUL, equal, new Fx.Binary(BinaryOp.SUB, Fx.c(1), taken));
        // The output has x's shape: element w of the window at the same flat place as in x.
        Ix at = Ix.add(Ix.add(e.offset(out), flat(outer, g, w)), Ix.v("pos"));
        stores.add(new St.Store(out.space(), at, hit, false));
        taken = w == 0 ? equal : new Fx.Binary(BinaryOp.MAX, taken, equal);
      }
      return stores;
    });
  }

  /** x as [outer..., W, P]: the outer shape, the window size W, and the flattened positions P. */
  private record Geometry(Shape outer, int window, Ix positions) {}

  private static Geometry geometry(EntryLowering e, Node x, Axes axes) {
    Shape xs = x.shape();
    List<Integer> a = axes.list();
    int first = a.get(0), last = a.get(a.size() - 1);
    int w = 1;
    for (int i = first; i <= last; i++) w *= ((Dim.Fixed) xs.get(i)).size();
    Ix p = Ix.c(1);
    for (int i = last + 1; i < xs.rank(); i++) p = Ix.mul(p, e.layout.dim(xs.get(i)));
    return new Geometry(new Shape(xs.dims().subList(0, first)), w, p);
  }

  private interface Body {
    /** The stores of position {@code pos} for the outer coordinate whose flat index is {@code outer}. */
    List<St.Store> stores(Ix outer);
  }

  /** Loops over the outer coordinate, then the vector loop {@code pos} over the positions. */
  private static List<St> loops(EntryLowering e, Geometry g, Body body) {
    return Loops.nest(e.layout, g.outer(), "o", idx -> {
      Ix outer = Loops.dot(idx, e.layout.strides(g.outer()));
      return List.of(new St.ElementLoop("pos", Ix.c(0), g.positions(), body.stores(outer)));
    });
  }

  /** Flat offset in x's layout of window element w of an outer coordinate, at position 0. */
  private static Ix flat(Ix outer, Geometry g, int w) {
    return Ix.add(Ix.mul(outer, Ix.mul(Ix.c(g.window()), g.positions())), Ix.mul(Ix.c(w), g.positions()));
  }

  private static Fx load(EntryLowering e, Node x, Ix outer, Geometry g, int w) {
    Buffer b = e.buffer(x);
    return new Fx.Load(b.space(), Ix.add(Ix.add(e.offset(b), flat(outer, g, w)), Ix.v("pos")));
  }
}
