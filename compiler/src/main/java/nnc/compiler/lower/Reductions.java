package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/** Lowering of reductions and of the index helpers of max-like gradients. */
final class Reductions {
  private Reductions() {}

  /**
   * When the innermost axis is kept, the output row is contiguous: initialise it and accumulate
   * input rows into it with a vector loop (the bias gradient, sum over the batch). Otherwise the
   * innermost axis is reduced: a vector reduction per output element (a row sum).
   */
  static List<St> reduce(EntryLowering e, Reduction.Reduce r, Buffer out) {
    Shape xs = r.x().shape();
    int rank = xs.rank();
    Shape kept = keptShape(xs, r.axes().list());
    Buffer o = new Buffer(out.id(), out.name(), out.space(), kept, out.node(), out.pOffset(), out.rtSlot());
    float identity = (float) r.op().identity();
    if (rank == 0) return List.of(e.store(o, new Ix[0], e.load(r.x(), new Ix[0])));
    boolean innerKept = !r.axes().contains(rank - 1);
    List<St> body = new ArrayList<>();
    if (innerKept) {
      body.addAll(Loops.elementwise(e.layout, kept, "o", idx -> List.of(e.store(o, idx, Fx.c(identity)))));
      body.addAll(Loops.elementwise(e.layout, xs, "i", idx -> {
        Ix[] oi = keptIndex(idx, r.axes().list());
        Fx x = e.load(r.x(), idx);
        return List.of(r.op() == ReduceOp.SUM
            ? new St.Store(o.space(), e.at(o, oi), x, true)
            : new St.Store(o.space(), e.at(o, oi), new Fx.Binary(binary(r.op()), new Fx.Load(o.space(), e.at(o, oi)), x), false));
      }));
      return body;
    }
    // Loops over the kept axes, then over the reduced ones, the innermost as a ReduceLoop.
    Ix[] idx = new Ix[rank];
    for (int i = 0; i < rank; i++) idx[i] = Ix.v("i" + i);
    St.ReduceLoop inner = new St.ReduceLoop("i" + (rank - 1), Ix.c(0), e.layout.dim(xs.get(rank - 1)), "acc", r.op(), e.load(r.x(), idx));
    List<St> reduced = List.of(inner);
    for (int i = rank - 2; i >= 0; i--) {
      if (r.axes().contains(i)) reduced = List.of(new St.Loop("i" + i, Ix.c(0), e.layout.dim(xs.get(i)), reduced));
    }
    List<St> perOutput = new ArrayList<>();
    perOutput.add(new St.DeclareFloat("acc", Fx.c(identity)));
    perOutput.addAll(reduced);
    perOutput.add(new St.Store(o.space(), e.at(o, keptIndex(idx, r.axes().list())), new Fx.Local("acc"), false));
    List<St> nest = perOutput;
    for (int i = rank - 1; i >= 0; i--) {
      if (!r.axes().contains(i)) nest = List.of(new St.Loop("i" + i, Ix.c(0), e.layout.dim(xs.get(i)), nest));
    }
    return nest;
  }

  /**
   * {@code out += scale * sum over the axes of x}, with the innermost axis kept: the bias update
   * of plain SGD fused into the reduction that computes the bias gradient.
   */
  static List<St> accumulateInto(EntryLowering e, Reduction.Reduce r, Buffer out, Fx scale) {
    Shape kept = keptShape(r.x().shape(), r.axes().list());
    Buffer o = new Buffer(out.id(), out.name(), out.space(), kept, out.node(), out.pOffset(), out.rtSlot());
    return Loops.elementwise(e.layout, r.x().shape(), "i", idx -> List.of(new St.Store(o.space(),
        e.at(o, keptIndex(idx, r.axes().list())), new Fx.Binary(BinaryOp.MUL, scale, e.load(r.x(), idx)), true)));
  }

  private static BinaryOp binary(ReduceOp op) {
    return op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN;
  }

  /** The input shape with reduced axes set to 1: the layout of the (keepdims) output. */
  static Shape keptShape(Shape s, List<Integer> axes) {
    List<Dim> d = new ArrayList<>(s.dims());
    for (int a : axes) d.set(a, Dim.of(1));
    return new Shape(d);
  }

  static Ix[] keptIndex(Ix[] idx, List<Integer> axes) {
    Ix[] o = idx.clone();
    for (int a : axes) o[a] = Ix.c(0);
    return o;
  }

  /** The first maximum along one axis: a scalar scan that keeps the best value and its index. */
  static List<St> argMax(EntryLowering e, Reduction.ArgMax a, Buffer out) {
    Shape xs = a.x().shape();
    int ax = a.axis();
    Shape kept = keptShape(xs, List.of(ax));
    Buffer o = new Buffer(out.id(), out.name(), out.space(), kept, out.node(), out.pOffset(), out.rtSlot());
    return Loops.nest(e.layout, kept, "i", idx -> {
      Ix[] first = idx.clone();
      Ix[] kth = idx.clone();
      kth[ax] = Ix.v("k");
      Fx x = e.load(a.x(), kth);
      Fx best = new Fx.Local("best");
      // x > best, or x is NaN and best is not (NaN counts as the largest, as in NumPy)
      Fx better = new Fx.Binary(BinaryOp.MAX, new Fx.Binary(BinaryOp.GT, x, best),
          new Fx.Binary(BinaryOp.MUL, isNaN(x), new Fx.Binary(BinaryOp.SUB, Fx.c(1), isNaN(best))));
      return List.of(
          new St.DeclareFloat("best", e.load(a.x(), first)),
          new St.DeclareFloat("where", Fx.c(0)),
          new St.Loop("k", Ix.c(1), e.layout.dim(xs.get(ax)), List.of(
              new St.SetFloat("where", new Fx.Select(better, new Fx.FromInt(Ix.v("k")), new Fx.Local("where"))),
              new St.SetFloat("best", new Fx.Select(better, x, best)))),
          e.store(o, idx, new Fx.Local("where")));
    });
  }

  static Fx isNaN(Fx x) {
    return new Fx.Binary(BinaryOp.NE, x, x);
  }

  /** 1 at the first extreme element of each slice over the axes, 0 elsewhere (two scalar passes). */
  static List<St> firstMaxMask(EntryLowering e, Reduction.FirstMaxMask m, Buffer out) {
    Shape xs = m.x().shape();
    List<Integer> axes = m.axes().list();
    ReduceOp op = m.min() ? ReduceOp.MIN : ReduceOp.MAX;
    int rank = xs.rank();
    Ix[] idx = new Ix[rank];
    for (int i = 0; i < rank; i++) idx[i] = Ix.v("i" + i);
    Fx x = e.load(m.x(), idx);
    List<St> find = List.of(new St.SetFloat("ext", new Fx.Binary(op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN, new Fx.Local("ext"), x)));
    Fx hit = new Fx.Binary(BinaryOp.MUL, new Fx.Binary(BinaryOp.EQ, x, new Fx.Local("ext")),
        new Fx.Binary(BinaryOp.SUB, Fx.c(1), new Fx.Local("taken")));
    List<St> mark = List.of(
        new St.DeclareFloat("hit", hit),
        e.store(out, idx, new Fx.Local("hit")),
        new St.SetFloat("taken", new Fx.Binary(BinaryOp.MAX, new Fx.Local("taken"), new Fx.Local("hit"))));
    List<St> pass1 = find, pass2 = mark;
    for (int i = rank - 1; i >= 0; i--) {
      if (axes.contains(i)) {
        pass1 = List.of(new St.Loop("i" + i, Ix.c(0), e.layout.dim(xs.get(i)), pass1));
        pass2 = List.of(new St.Loop("i" + i, Ix.c(0), e.layout.dim(xs.get(i)), pass2));
      }
    }
    List<St> perSlice = new ArrayList<>();
    perSlice.add(new St.DeclareFloat("ext", Fx.c((float) op.identity())));
    perSlice.addAll(pass1);
    perSlice.add(new St.DeclareFloat("taken", Fx.c(0)));
    perSlice.addAll(pass2);
    List<St> nest = perSlice;
    for (int i = rank - 1; i >= 0; i--) {
      if (!axes.contains(i)) nest = List.of(new St.Loop("i" + i, Ix.c(0), e.layout.dim(xs.get(i)), nest));
    }
    return nest;
  }

}
