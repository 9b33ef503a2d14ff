package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
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
import nnc.compiler.ir.Window;
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
  /** For each kernel, the M buffers it reads and the M buffers it writes. */
  final List<int[]> reads = new ArrayList<>();
  final List<int[]> writes = new ArrayList<>();
  /** Nodes whose values some kernel already computes (siblings computed in another node's loop). */
  private final java.util.Set<Node> computed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final int rtBase;
  private final Fusion fusion;

  EntryLowering(Layout layout, String entry, Numbering numbering, Fusion fusion) {
    this.layout = layout;
    this.entry = entry;
    this.numbering = numbering;
    this.rtBase = layout.dims().size();
    this.fusion = fusion;
  }

  // ---- buffers ------------------------------------------------------------------------------------

  /** Whether a transpose is read in place, transposed, by the matrix products that use it (never stored). */
  boolean isAbsorbed(Movement.Transpose t) {
    return fusion.isAbsorbed(t);
  }

  /** Whether x's value is computed inside its user's loop (fused, or an inlined scalar) rather than read from a buffer. */
  boolean computedInPlace(Node x) {
    return inlined(x) || fusion.isFused(storage(x)) || x instanceof Leaf.Noise;
  }

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
    if (fusion.isEpilogueHost(s)) return buffer(fusion.epilogueOf(s)); // computed in place there
    Buffer b = buffers.get(s);
    if (b != null) return b;
    b = s instanceof Leaf.Param || s instanceof Leaf.State || s instanceof Leaf.Constant ? layout.pBuffer(s) : null;
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
    Shape s = x.shape();
    Ix[] xi = new Ix[s.rank()];
    int shift = out.rank() - s.rank();
    for (int i = 0; i < s.rank(); i++) {
      boolean broadcast = s.get(i).isOne() && !out.get(i + shift).isOne();
      xi[i] = broadcast ? Ix.c(0) : idx[i + shift];
    }
    return load(x, xi);
  }

  /** The value of x at its own coordinate {@code idx}: a buffer load, or a fused node's expression. */
  Fx load(Node x, Ix[] idx) {
    if (x instanceof Leaf.Constant c && c.isScalar()) return Fx.c((float) c.scalar());
    if (x instanceof Leaf.DimSize d) return layout.dimValue(d.dim());
    Node s = storage(x);
    if (fusion.isFused(s)) return expression(s, s == x ? idx : unitMap(x.shape(), s.shape(), idx));
    // A view shares its operand's buffer in the same row-major order: index it by its own shape.
    Buffer b = buffer(x);
    return new Fx.Load(b.space(), Ix.add(offset(b), Loops.dot(idx, layout.strides(x.shape()))));
  }

  /** Coordinates across a reshape that only adds or drops size-1 axes (see Fusion.unitReshape). */
  static Ix[] unitMap(Shape from, Shape to, Ix[] idx) {
    Ix[] out = new Ix[to.rank()];
    int f = 0;
    for (int t = 0; t < to.rank(); t++) {
      if (to.get(t).isOne()) {
        out[t] = Ix.c(0);
        continue;
      }
      while (from.get(f).isOne()) f++;
      out[t] = idx[f++];
    }
    return out;
  }

  /** The scalar expression of an elementwise node (or broadcast, or iota) at coordinate idx. */
  Fx expression(Node n, Ix[] idx) {
    Shape s = n.shape();
    return switch (n) {
      case Elementwise.Unary u -> new Fx.Unary(u.op(), value(u.x(), s, idx));
      case Elementwise.Binary b -> {
        Fx v = new Fx.Binary(b.op(), value(b.a(), s, idx), value(b.b(), s, idx));
        boolean intArith = b.a().dtype() == DType.I32 && (b.op() == BinaryOp.DIV || b.op() == BinaryOp.POW);
        yield intArith ? new Fx.Trunc(v) : v;
      }
      case Elementwise.Where w -> new Fx.Select(value(w.cond(), s, idx), value(w.a(), s, idx), value(w.b(), s, idx));
      case Elementwise.Cast c -> {
        Fx x = value(c.x(), s, idx);
        yield switch (c.dtype()) {
          case I32 -> c.x().type().isFloat() ? new Fx.Trunc(x) : x;
          case BOOL -> new Fx.Binary(BinaryOp.NE, x, Fx.c(0));
          default -> x;
        };
      }
      case Movement.Broadcast b -> value(b.x(), s, idx);
      case Leaf.Iota i -> new Fx.FromInt(idx[i.axis()]);
      // The training step drops; inference and evaluation pass x through (PyTorch's inverted dropout).
      case Control.Dropout d -> !training() ? value(d.x(), s, idx) : new Fx.Select(
          new Fx.Binary(BinaryOp.GE, value(d.noise(), s, idx), Fx.c((float) d.p())),
          new Fx.Binary(BinaryOp.MUL, value(d.x(), s, idx), Fx.c((float) (1 / (1 - d.p())))), Fx.c(0));
      default -> throw new IllegalStateException("no expression for " + n.opName());
    };
  }

  Ix at(Buffer b, Ix[] idx) {
    return Ix.add(offset(b), Loops.dot(idx, layout.strides(b.shape())));
  }

  // ---- kernels ------------------------------------------------------------------------------------

  /** Whether this is the training step (dropout active) rather than inference or evaluation. */
  boolean training() {
    return entry.equals(ModelCompiler.TRAIN);
  }

  /** Other nodes whose values the kernel being emitted also stores (see {@link #elementwise}). */
  private List<Node> siblings = List.of();

  private void emit(Node n, String kind, List<St> body, List<Node> operands) {
    Buffer out = buffer(n);
    StringBuilder args = new StringBuilder();
    for (Node in : n.inputs()) args.append(' ').append(numbering.ref(in));
    List<String> members = new ArrayList<>();
    fusedMembers(n, members);
    String describe = "%" + numbering.id(n) + " : " + n.type() + " = " + n.opName()
        + (n.attributes().isEmpty() ? "" : " " + n.attributes()) + args + commentOf(n)
        + (members.isEmpty() ? "" : "; fused: " + String.join(", ", members))
        + (siblings.isEmpty() ? "" : "; also stores " + String.join(", ",
            siblings.stream().map(m -> "%" + numbering.id(m) + " " + m.opName()).toList()));
    kernels.add(new Kernel(entry + "_k" + kernels.size() + "_" + n.opName().replaceAll("[^A-Za-z0-9]", "_"), describe, kind, body));
    List<Integer> r = new ArrayList<>();
    for (Node o : materialized(operands)) {
      Buffer b = buffer(o);
      if (b.space() == Space.M && !r.contains(b.id())) r.add(b.id());
    }
    reads.add(r.stream().mapToInt(Integer::intValue).toArray());
    List<Integer> w = new ArrayList<>();
    if (out.space() == Space.M) w.add(out.id());
    for (Node sib : siblings) if (buffer(sib).space() == Space.M) w.add(buffer(sib).id());
    writes.add(w.stream().mapToInt(Integer::intValue).toArray());
    siblings = List.of();
  }

  /** The stored nodes an expression over {@code operands} reads, looking through fused nodes. */
  private List<Node> materialized(List<Node> operands) {
    List<Node> out = new ArrayList<>();
    for (Node o : operands) {
      if (inlined(o) || (o instanceof Leaf.Noise && !training())) continue;
      Node s = storage(o);
      if (fusion.isFused(s)) out.addAll(materialized(s.inputs()));
      else out.add(s);
    }
    return out;
  }

  /** The fused nodes inside an expression, for kernel descriptions. */
  private void fusedMembers(Node n, List<String> into) {
    for (Node in : n.inputs()) {
      Node s = storage(in);
      if (fusion.isFused(s)) {
        fusedMembers(s, into);
        into.add("%" + numbering.id(s) + " " + s.opName());
      }
    }
  }

  private static String commentOf(Node n) {
    String c = TextPrinter.comment(n.meta());
    return c.isEmpty() ? "" : "  (" + c + ")";
  }

  /** Appends a kernel of hand-built statements (the parameter update of the training step). */
  void emitRaw(String name, String describe, String kind, List<St> body, List<Buffer> readBuffers) {
    kernels.add(new Kernel(entry + "_k" + kernels.size() + "_" + name, describe, kind, body));
    reads.add(readBuffers.stream().filter(b -> b.space() == Space.M).mapToInt(Buffer::id).toArray());
    writes.add(new int[0]);
  }

  /** Lowers one node (operands already lowered). */
  void lower(Node n) {
    if (order != null) lowered = order.indexOf(n);
    if (n instanceof Leaf.Noise && !training()) return; // dropout is the identity outside the training step
    if (inlined(n) || n instanceof Leaf.Input || n instanceof Leaf.Noise || n instanceof Leaf.Param || n instanceof Leaf.State
        || n instanceof Leaf.Constant) {
      buffer(n);
      return;
    }
    if (storage(n) != n || fusion.isFused(n) || fusion.isEpilogueHost(n) || computed.contains(n)
        || (n instanceof Movement.Transpose t && isAbsorbed(t)) || fusion.isBatchSummed(n)) {
      return; // a view, computed inside its user's loop, as part of its epilogue, read transposed by matmuls, or by its batch sum
    }
    Buffer out = buffer(n);
    Shape s = n.shape();
    switch (n) {
      case Elementwise.Unary u -> elementwise(n, out);
      case Elementwise.Binary b -> elementwise(n, out);
      case Elementwise.Where w -> elementwise(n, out);
      case Elementwise.Cast c -> elementwise(n, out);
      case Movement.Broadcast b -> elementwise(n, out);
      case Leaf.Iota i -> elementwise(n, out);
      case Control.Dropout d -> elementwise(n, out);
      case Reduction.Reduce r when fusion.isBatchSummed(r.x()) ->
          emit(n, "matmul", BatchSums.lower(this, (Linalg.MatMul) r.x(), out), MatMuls.reads(this, (Linalg.MatMul) r.x()));
      case Reduction.Reduce r when Pools.applies(this, r) -> emit(n, "reduce", Pools.reduce(this, r, out), List.of(r.x()));
      case Reduction.Reduce r -> emit(n, "reduce", Reductions.reduce(this, r, out), List.of(r.x()));
      case Reduction.ArgMax a -> emit(n, "reduce", Reductions.argMax(this, a, out), List.of(a.x()));
      case Reduction.FirstMaxMask m when Pools.applies(this, m.x(), m.axes()) ->
          emit(n, "reduce", Pools.firstMaxMask(this, m, out), List.of(m.x()));
      case Reduction.FirstMaxMask m -> emit(n, "reduce", Reductions.firstMaxMask(this, m, out), List.of(m.x()));
      case Linalg.MatMul m -> emit(n, "matmul", MatMuls.lower(this, m, out), MatMuls.reads(this, m));
      case Movement.Transpose t -> emit(n, "copy", Loops.elementwise(layout, s, "i", idx -> {
        Ix[] in = new Ix[idx.length];
        for (int k = 0; k < idx.length; k++) in[t.perm().get(k)] = idx[k];
        return List.of(store(out, idx, load(t.x(), in)));
      }), List.of(t.x()));
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
      case Window.Unfold u -> emit(n, "copy", Windows.unfold(this, u, out), List.of(u.x()));
      case Window.Fold f -> emit(n, "fold", Windows.fold(this, f, out), List.of(f.x()));
      case Control.ByMode m -> throw new IllegalStateException("by_mode reached lowering: Modes.resolve picks its branch per entry first");
      default -> throw new IllegalStateException("no lowering for " + n.opName());
    }
  }

  /** One loop for an elementwise node and the nodes fused into it, or a matmul with it as epilogue. */
  private void elementwise(Node n, Buffer out) {
    Shape s = n.shape();
    List<Node> sibs = siblingsOf(n);
    List<St> loop = Loops.elementwise(layout, s, "i", idx -> {
      List<St.Store> stores = new ArrayList<>();
      stores.add(store(out, idx, expression(n, idx)));
      for (Node m : sibs) stores.add(store(buffer(m), idx, expression(m, idx)));
      return stores;
    });
    List<Node> operands = new ArrayList<>(n.inputs());
    for (Node m : sibs) operands.addAll(m.inputs());
    operands.removeIf(o -> storage(o) == n);
    computed.addAll(sibs);
    Node host = null;
    for (Node m : Graph.topoOrder(n.inputs())) if (fusion.epilogueOf(m) == n) host = m;
    siblings = sibs;
    if (host == null) {
      emit(n, n instanceof Movement.Broadcast ? "copy" : "elementwise", loop, operands);
      return;
    }
    // The matmul accumulates into n's buffer; n's expression then reads it there, in place.
    Linalg.MatMul m = (Linalg.MatMul) host;
    List<St> body = new ArrayList<>(MatMuls.lower(this, m, out));
    body.add(new St.Comment("epilogue: %" + numbering.id(n) + " " + n.opName() + " applied in place"));
    body.addAll(loop);
    operands.addAll(MatMuls.reads(this, m));
    operands.removeIf(o -> storage(o) == m);
    emit(n, "matmul+epilogue", body, operands);
  }

  /**
   * Elementwise nodes of n's shape that read n at the same coordinates and otherwise only values
   * already computed: they are stored in n's loop too (relu beside the bias add it reads), so
   * their operands are read while still in cache and they need no kernel of their own.
   */
  private List<Node> siblingsOf(Node n) {
    if (order == null) return List.of();
    List<Node> out = new ArrayList<>();
    int at = order.indexOf(n);
    for (int k = at + 1; k < order.size(); k++) {
      Node m = order.get(k);
      if (!Fusion.isElementwise(m) || fusion.isFused(m) || computed.contains(m) || !m.shape().equals(n.shape())) continue;
      boolean readsN = false, ready = true;
      for (Node leaf : materialized(m.inputs())) {
        if (leaf == n || out.contains(leaf)) readsN = true;
        else if (!isAvailable(leaf)) ready = false;
      }
      if (readsN && ready && sameCoordinates(m, n)) out.add(m);
    }
    return out;
  }

  /** Whether every read of n inside m's expression is at m's own coordinates (no broadcast). */
  private boolean sameCoordinates(Node m, Node n) {
    for (Node in : m.inputs()) {
      Node s = storage(in);
      if (s == n && !in.shape().equals(m.shape())) return false;
      if (fusion.isFused(s) && !(s.shape().equals(m.shape()) && sameCoordinates(s, n))) return false;
    }
    return true;
  }

  private boolean isAvailable(Node leaf) {
    if (leaf instanceof Leaf.Input || leaf instanceof Leaf.Noise || leaf instanceof Leaf.Param || leaf instanceof Leaf.State
        || leaf instanceof Leaf.Constant) {
      return true;
    }
    if (computed.contains(leaf)) return true;
    int at = order.indexOf(leaf);
    return at >= 0 && at < lowered;
  }

  private List<Node> order;
  private int lowered;

  /** The entry's nodes in lowering order (enables sibling outputs); call before {@link #lower}. */
  void setOrder(List<Node> order) {
    this.order = order;
  }

  St.Store store(Buffer b, Ix[] idx, Fx v) {
    return new St.Store(b.space(), at(b, idx), v, false);
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
