package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.init.Initializer;

/**
 * The only way nodes are made: each factory applies the op's shape/dtype rule (throwing
 * {@link IrException}) and interns the result, so structurally equal nodes are the same object.
 * New nodes take the builder's current {@link Meta}, which the front end sets to the span of the
 * expression being built and autodiff to the forward node and rule.
 *
 * <p>The factories do no algebra beyond dropping no-op movement (a reshape or broadcast to the
 * shape a node already has); simplification is the optimizer's job.
 */
public final class IrBuilder {
  private final Map<Node, Node> interned = new HashMap<>();
  private Meta meta = Meta.NONE;

  /** Sets the metadata for nodes built from now on; returns the previous value for restoring. */
  public Meta setMeta(Meta m) {
    Meta old = meta;
    meta = m;
    return old;
  }

  public Meta meta() {
    return meta;
  }

  @SuppressWarnings("unchecked")
  private <T extends Node> T intern(T n) {
    return (T) interned.computeIfAbsent(n, k -> k);
  }

  /** Number of distinct nodes built so far. */
  public int size() {
    return interned.size();
  }

  // ---- leaves ---------------------------------------------------------------------------------

  public Leaf.Input input(String name, TensorType type) {
    return intern(new Leaf.Input(name, type, meta));
  }

  public Leaf.Param param(String name, TensorType type, Initializer init) {
    return intern(new Leaf.Param(name, type, init, meta));
  }

  public Leaf.State state(String name, TensorType type, Initializer init) {
    return intern(new Leaf.State(name, type, init, meta));
  }

  public Node constant(double value, DType dtype) {
    return constant(new double[] {value}, TensorType.scalar(dtype));
  }

  public Node constant(double[] values, TensorType type) {
    return intern(new Leaf.Constant(new Leaf.Literal(values), type, meta));
  }

  /** A scalar constant with the element type of {@code like}. */
  public Node scalar(double value, Node like) {
    return constant(value, like.dtype());
  }

  public Node dimSize(String dim, DType dtype) {
    return intern(new Leaf.DimSize(dim, TensorType.scalar(dtype), meta));
  }

  public Node iota(Shape shape, int axis) {
    return intern(new Leaf.Iota(axis, new TensorType(DType.I32, shape), meta));
  }

  // ---- elementwise ----------------------------------------------------------------------------

  public Node unary(UnaryOp op, Node x) {
    return intern(new Elementwise.Unary(op, x, Elementwise.unaryType(op, x.type()), meta));
  }

  public Node binary(BinaryOp op, Node a, Node b) {
    return intern(new Elementwise.Binary(op, a, b, Elementwise.binaryType(op, a.type(), b.type()), meta));
  }

  public Node neg(Node x) {
    return unary(UnaryOp.NEG, x);
  }

  public Node add(Node a, Node b) {
    return binary(BinaryOp.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    return binary(BinaryOp.SUB, a, b);
  }

  public Node mul(Node a, Node b) {
    return binary(BinaryOp.MUL, a, b);
  }

  public Node div(Node a, Node b) {
    return binary(BinaryOp.DIV, a, b);
  }

  public Node where(Node cond, Node a, Node b) {
    return intern(new Elementwise.Where(cond, a, b, Elementwise.whereType(cond.type(), a.type(), b.type()), meta));
  }

  public Node cast(Node x, DType to) {
    if (x.dtype() == to) return x;
    return intern(new Elementwise.Cast(x, x.type().withDType(to), meta));
  }

  // ---- reductions -----------------------------------------------------------------------------

  public Node reduce(ReduceOp op, Node x, Axes axes, boolean keepDims) {
    for (int a : axes.list()) {
      if (a < 0 || a >= x.type().rank()) {
        throw new IrException("reduce_" + op.printName() + ": axis " + a + " out of range for " + x.type());
      }
    }
    return intern(new Reduction.Reduce(op, x, axes, keepDims, Reduction.reduceType(op, x.type(), axes, keepDims), meta));
  }

  public Node argMax(Node x, int axis) {
    if (axis < 0 || axis >= x.type().rank()) throw new IrException("argmax: axis " + axis + " out of range for " + x.type());
    return intern(new Reduction.ArgMax(x, axis, new TensorType(DType.I32, x.shape().remove(axis)), meta));
  }

  public Node firstMaxMask(Node x, Axes axes, boolean min) {
    return intern(new Reduction.FirstMaxMask(x, axes, min, x.type().withDType(DType.BOOL), meta));
  }

  // ---- linear algebra -------------------------------------------------------------------------

  public Node matmul(Node a, Node b) {
    return intern(new Linalg.MatMul(a, b, Linalg.matmulType(a.type(), b.type()), meta));
  }

  // ---- movement -------------------------------------------------------------------------------

  public Node transpose(Node x, List<Integer> perm) {
    TensorType t = Movement.transposeType(x.type(), perm);
    boolean identity = true;
    for (int i = 0; i < perm.size(); i++) identity &= perm.get(i) == i;
    return identity ? x : intern(new Movement.Transpose(x, perm, t, meta));
  }

  /** Swaps the last two axes (the transpose of a batch of matrices). */
  public Node swapLastTwo(Node x) {
    int r = x.type().rank();
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < r; i++) perm.add(i);
    perm.set(r - 1, r - 2);
    perm.set(r - 2, r - 1);
    return transpose(x, perm);
  }

  public Node reshape(Node x, Shape to) {
    TensorType t = Movement.reshapeType(x.type(), to);
    return to.equals(x.shape()) ? x : intern(new Movement.Reshape(x, t, meta));
  }

  public Node broadcast(Node x, Shape to) {
    TensorType t = Movement.broadcastType(x.type(), to);
    return to.equals(x.shape()) ? x : intern(new Movement.Broadcast(x, t, meta));
  }

  /** A box of x; {@code size[i] < 0} keeps axis i whole. */
  public Node slice(Node x, List<Integer> start, List<Integer> size) {
    TensorType t = Movement.sliceType(x.type(), start, size);
    return t.equals(x.type()) ? x : intern(new Movement.Slice(x, start, t, meta));
  }

  public Node pad(Node x, List<Integer> lo, List<Integer> hi) {
    TensorType t = Movement.padType(x.type(), lo, hi);
    return t.equals(x.type()) ? x : intern(new Movement.Pad(x, lo, hi, t, meta));
  }

  public Node concat(List<Node> parts, int axis) {
    if (parts.size() == 1) return parts.get(0);
    TensorType t = Movement.concatType(parts.stream().map(Node::type).toList(), axis);
    return intern(new Movement.Concat(parts, axis, t, meta));
  }

  /**
   * Sums a broadcast value back to {@code target}: leading axes are summed away and axes where
   * the target has size 1 are summed with keepdims. The adjoint of broadcasting.
   */
  public Node sumTo(Node g, Shape target) {
    Shape s = g.shape();
    if (s.equals(target)) return g;
    int lead = s.rank() - target.rank();
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (i < lead || (target.get(i - lead).isOne() && !s.get(i).isOne())) axes.add(i);
    }
    Node r = axes.isEmpty() ? g : reduce(ReduceOp.SUM, g, new Axes(axes), true);
    return reshape(r, target);
  }

  // ---- sliding windows ----------------------------------------------------------------------

  public Node unfold(Node x, Window.Geometry g) {
    return intern(new Window.Unfold(x, g, Window.unfoldType(x.type(), g), meta));
  }

  public Node fold(Node x, Window.Geometry g, int h, int w) {
    return intern(new Window.Fold(x, g, h, w, Window.foldType(x.type(), g, h, w), meta));
  }

  // ---- indexing, normalizers, control ---------------------------------------------------------

  public Node gather(Node table, Node idx) {
    return intern(new Indexing.Gather(table, idx, Indexing.gatherType(table.type(), idx.type()), meta));
  }

  public Node scatterAdd(Node src, Node idx, Shape target) {
    return intern(new Indexing.ScatterAdd(src, idx, Indexing.scatterAddType(src.type(), idx.type(), target), meta));
  }

  public Node softmax(Node x, int axis) {
    return intern(new Normalizer.Softmax(x, axis, Normalizer.type("softmax", x.type(), axis), meta));
  }

  public Node logSoftmax(Node x, int axis) {
    return intern(new Normalizer.LogSoftmax(x, axis, Normalizer.type("log_softmax", x.type(), axis), meta));
  }

  private int noiseIds;

  /** A fresh noise leaf (each call of this method makes a distinct one). */
  public Node noise(Shape shape, DType dtype) {
    return intern(new Leaf.Noise(noiseIds++, new TensorType(dtype, shape), meta));
  }

  public Node dropout(Node x, Node noise, double p) {
    return intern(new Control.Dropout(x, noise, p, Control.dropoutType(x.type(), noise.type(), p), meta));
  }

  /** {@code train} in the training step, {@code eval} in inference and evaluation (broadcast like a binary op). */
  public Node byMode(Node train, Node eval) {
    if (train == eval) return train;
    return intern(new Control.ByMode(train, eval, Control.byModeType(train.type(), eval.type()), meta));
  }

  public Node stopGradient(Node x) {
    return intern(new Control.StopGradient(x, x.type(), meta));
  }
}
