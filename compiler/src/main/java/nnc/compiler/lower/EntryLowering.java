package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Indexing;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Normalizer;
import nnc.compiler.ir.Numbering;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TextPrinter;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.runtime.DType;

/**
 * Lowers the nodes of one entry point (inference, or the training step) to kernels, one kernel
 * per node in operand-first order, and records which workspace buffer each kernel writes and
 * reads, for the memory plan. Reshape and stop_gradient are views: they share their operand's
 * buffer. Scalar constants and symbolic sizes are folded into the expressions that use them.
 */
final class EntryLowering {
  final Layout layout;
  final String entry;
  private final Numbering numbering;
  private final Map<Node, Buffer> buffers = new IdentityHashMap<>();
  final List<Buffer> mBuffers = new ArrayList<>();
  final List<Kernel> kernels = new ArrayList<>();
  /** For each kernel, the M buffers it reads and the one it writes (-1 if it writes P). */
  final List<int[]> reads = new ArrayList<>();
  final List<Integer> writes = new ArrayList<>();
  private final int rtBase;

  EntryLowering(Layout layout, String entry, Numbering numbering) {
    this.layout = layout;
    this.entry = entry;
    this.numbering = numbering;
    this.rtBase = layout.dims().size();
  }

  // ---- buffers ------------------------------------------------------------------------------------

  /** Whether a node is folded into its users rather than stored. */
  static boolean inlined(Node n) {
    return (n instanceof Leaf.Constant c && c.isScalar()) || n instanceof Leaf.DimSize;
  }

  /** The node whose buffer holds n's value (views resolve to their operand). */
  static Node storage(Node n) {
    while (n instanceof Movement.Reshape || n instanceof Control.StopGradient) n = n.inputs().get(0);
    return n;
  }

  Buffer buffer(Node n) {
    Node s = storage(n);
    Buffer b = buffers.get(s);
    if (b != null) return b;
    b = s instanceof Leaf.Param || s instanceof Leaf.Constant ? layout.pBuffer(s) : null;
    if (b == null) {
      String name = s instanceof Leaf.Input in ? in.name() : "t" + (numbering.contains(s) ? numbering.id(s) : mBuffers.size());
      b = new Buffer(mBuffers.size(), name, Space.M, s.shape(), s, -1, rtBase + mBuffers.size());
      mBuffers.add(b);
    }
    buffers.put(s, b);
    return b;
  }

  Ix offset(Buffer b) {
    return b.space() == Space.P ? Ix.c(b.pOffset()) : new Ix.Rt(b.rtSlot());
  }

  /** A load of x at the coordinate {@code idx} of a (broadcast) result of shape {@code out}. */
  Fx value(Node x, Shape out, Ix[] idx) {
    if (x instanceof Leaf.Constant c && c.isScalar()) return Fx.c((float) c.scalar());
    if (x instanceof Leaf.DimSize d) return layout.dimValue(d.dim());
    Buffer b = buffer(x);
    Shape s = x.shape();
    Ix[] st = layout.strides(s);
    Ix at = offset(b);
    int shift = out.rank() - s.rank();
    for (int i = 0; i < s.rank(); i++) {
      boolean broadcast = s.get(i).isOne() && !out.get(i + shift).isOne();
      if (!broadcast) at = Ix.add(at, Ix.mul(idx[i + shift], st[i]));
    }
    return new Fx.Load(b.space(), at);
  }

  Ix at(Buffer b, Ix[] idx) {
    return Ix.add(offset(b), Loops.dot(idx, layout.strides(b.shape())));
  }

  // ---- kernels ------------------------------------------------------------------------------------

  private void emit(Node n, String kind, List<St> body, List<Node> operands) {
    Buffer out = buffer(n);
    StringBuilder args = new StringBuilder();
    for (Node in : n.inputs()) args.append(' ').append(numbering.ref(in));
    String describe = "%" + numbering.id(n) + " : " + n.type() + " = " + n.opName()
        + (n.attributes().isEmpty() ? "" : " " + n.attributes()) + args + commentOf(n);
    kernels.add(new Kernel(entry + "_k" + kernels.size() + "_" + n.opName().replaceAll("[^A-Za-z0-9]", "_"), describe, kind, body));
    List<Integer> r = new ArrayList<>();
    for (Node o : operands) {
      if (inlined(o)) continue;
      Buffer b = buffer(o);
      if (b.space() == Space.M) r.add(b.id());
    }
    reads.add(r.stream().mapToInt(Integer::intValue).toArray());
    writes.add(out.space() == Space.M ? out.id() : -1);
  }

  private static String commentOf(Node n) {
    String c = TextPrinter.comment(n.meta());
    return c.isEmpty() ? "" : "  (" + c + ")";
  }

  /** Appends a kernel of hand-built statements (the parameter update of the training step). */
  void emitRaw(String name, String describe, String kind, List<St> body, List<Buffer> readBuffers) {
    kernels.add(new Kernel(entry + "_k" + kernels.size() + "_" + name, describe, kind, body));
    reads.add(readBuffers.stream().filter(b -> b.space() == Space.M).mapToInt(Buffer::id).toArray());
    writes.add(-1);
  }

  /** Lowers one node (operands already lowered). */
  void lower(Node n) {
    if (inlined(n) || n instanceof Leaf.Input || n instanceof Leaf.Param || n instanceof Leaf.Constant) {
      buffer(n);
      return;
    }
    if (storage(n) != n) {
      buffer(n);
      return;
    }
    Buffer out = buffer(n);
    Shape s = n.shape();
    switch (n) {
      case Elementwise.Unary u -> emit(n, "elementwise", Loops.elementwise(layout, s, "i", idx ->
          List.of(store(out, idx, new Fx.Unary(u.op(), value(u.x(), s, idx))))), List.of(u.x()));
      case Elementwise.Binary b -> emit(n, "elementwise", Loops.elementwise(layout, s, "i", idx -> {
        Fx v = new Fx.Binary(b.op(), value(b.a(), s, idx), value(b.b(), s, idx));
        boolean intArith = b.a().dtype() == DType.I32 && (b.op() == BinaryOp.DIV || b.op() == BinaryOp.POW);
        return List.of(store(out, idx, intArith ? new Fx.Trunc(v) : v));
      }), List.of(b.a(), b.b()));
      case Elementwise.Where w -> emit(n, "elementwise", Loops.elementwise(layout, s, "i", idx ->
          List.of(store(out, idx, new Fx.Select(value(w.cond(), s, idx), value(w.a(), s, idx), value(w.b(), s, idx))))),
          List.of(w.cond(), w.a(), w.b()));
      case Elementwise.Cast c -> emit(n, "elementwise", Loops.elementwise(layout, s, "i", idx -> {
        Fx x = value(c.x(), s, idx);
        Fx v = switch (c.dtype()) {
          case I32 -> c.x().type().isFloat() ? new Fx.Trunc(x) : x;
          case BOOL -> new Fx.Binary(BinaryOp.NE, x, Fx.c(0));
          default -> x;
        };
        return List.of(store(out, idx, v));
      }), List.of(c.x()));
      case Leaf.Iota i -> emit(n, "elementwise", Loops.elementwise(layout, s, "i", idx ->
          List.of(store(out, idx, new Fx.FromInt(idx[i.axis()])))), List.of());
      case Reduction.Reduce r -> emit(n, "reduce", Reductions.reduce(this, r, out), List.of(r.x()));
      case Reduction.ArgMax a -> emit(n, "reduce", Reductions.argMax(this, a, out), List.of(a.x()));
      case Reduction.FirstMaxMask m -> emit(n, "reduce", Reductions.firstMaxMask(this, m, out), List.of(m.x()));
      case Linalg.MatMul m -> emit(n, "matmul", MatMuls.lower(this, m, out), List.of(m.a(), m.b()));
      case Movement.Transpose t -> emit(n, "copy", Loops.elementwise(layout, s, "i", idx -> {
        Ix[] in = new Ix[idx.length];
        for (int k = 0; k < idx.length; k++) in[t.perm().get(k)] = idx[k];
        return List.of(store(out, idx, load(t.x(), in)));
      }), List.of(t.x()));
      case Movement.Broadcast b -> emit(n, "copy", Loops.elementwise(layout, s, "i", idx ->
          List.of(store(out, idx, value(b.x(), s, idx)))), List.of(b.x()));
      case Movement.Slice sl -> emit(n, "copy", Loops.elementwise(layout, s, "i", idx -> {
        Ix[] in = new Ix[idx.length];
        for (int k = 0; k < idx.length; k++) in[k] = Ix.add(idx[k], Ix.c(sl.start().get(k)));
        return List.of(store(out, idx, load(sl.x(), in)));
      }), List.of(sl.x()));
      case Movement.Pad p -> emit(n, "copy", pad(p, out), List.of(p.x()));
      case Movement.Concat c -> emit(n, "copy", concat(c, out), c.parts());
      case Indexing.Gather g -> emit(n, "gather", Gathers.gather(this, g, out), List.of(g.table(), g.idx()));
      case Indexing.ScatterAdd sa -> emit(n, "gather", Gathers.scatterAdd(this, sa, out), List.of(sa.src(), sa.idx()));
      case Normalizer.Softmax sm -> emit(n, "softmax", Softmaxes.lower(this, sm.x(), sm.axis(), false, out), List.of(sm.x()));
      case Normalizer.LogSoftmax sm -> emit(n, "softmax", Softmaxes.lower(this, sm.x(), sm.axis(), true, out), List.of(sm.x()));
      default -> throw new IllegalStateException("no lowering for " + n.opName());
    }
  }

  St.Store store(Buffer b, Ix[] idx, Fx v) {
    return new St.Store(b.space(), at(b, idx), v, false);
  }

  Fx load(Node x, Ix[] idx) {
    Buffer b = buffer(x);
    return new Fx.Load(b.space(), at(b, idx));
  }

  /** Stores the value of an inlined node (a scalar constant or a dimension size) as an output. */
  void materialize(Node n) {
    Buffer out = buffer(n);
    Fx v = value(n, Shape.SCALAR, new Ix[0]);
    emit(n, "elementwise", List.of(new St.Store(Space.M, offset(out), v, false)), List.of());
  }

  private List<St> zero(Buffer out) {
    return List.of(new St.ElementLoop("z", Ix.c(0), layout.size(out.shape()),
        List.of(new St.Store(out.space(), Ix.add(offset(out), Ix.v("z")), Fx.c(0), false))));
  }

  private List<St> pad(Movement.Pad p, Buffer out) {
    List<St> body = new ArrayList<>(zero(out));
    body.addAll(Loops.elementwise(layout, p.x().shape(), "i", idx -> {
      Ix[] o = new Ix[idx.length];
      for (int k = 0; k < idx.length; k++) o[k] = Ix.add(idx[k], Ix.c(p.lo().get(k)));
      return List.of(store(out, o, load(p.x(), idx)));
    }));
    return body;
  }

  private List<St> concat(Movement.Concat c, Buffer out) {
    List<St> body = new ArrayList<>();
    int offset = 0;
    for (Node part : c.parts()) {
      int off = offset;
      body.addAll(Loops.elementwise(layout, part.shape(), "i", idx -> {
        Ix[] o = idx.clone();
        o[c.axis()] = Ix.add(idx[c.axis()], Ix.c(off));
        return List.of(store(out, o, load(part, idx)));
      }));
      offset += ((Dim.Fixed) part.shape().get(c.axis())).size();
    }
    return body;
  }
}
