package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import nnc.runtime.DType;

/** Reductions along a set of axes, and the index helpers that max-like gradients need. */
public final class Reduction {
  private Reduction() {}

  public record Reduce(ReduceOp op, Node x, Axes axes, boolean keepDims, TensorType type, Meta meta)
      implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "reduce_" + op.printName();
    }

    @Override
    public String attributes() {
      return "axes=" + axes + (keepDims ? " keepdims" : "");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reduce r && op == r.op && x == r.x && axes.equals(r.axes) && keepDims == r.keepDims;
    }

    @Override
    public int hashCode() {
      return Node.hash(List.of(op, axes, keepDims), inputs());
    }
  }

  /** Index of the first maximum along one axis, as i32 (the axis is removed). */
  public record ArgMax(Node x, int axis, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "argmax";
    }

    @Override
    public String attributes() {
      return "axis=" + axis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ArgMax a && x == a.x && axis == a.axis;
    }

    @Override
    public int hashCode() {
      return Node.hash(axis, inputs());
    }
  }

  /**
   * A bool mask, same shape as x, true at the first extreme element (in row-major order) of each
   * slice over {@code axes}: where the gradient of a max/min reduction goes, ties to the first.
   */
  public record FirstMaxMask(Node x, Axes axes, boolean min, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return min ? "first_min_mask" : "first_max_mask";
    }

    @Override
    public String attributes() {
      return "axes=" + axes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FirstMaxMask m && x == m.x && axes.equals(m.axes) && min == m.min;
    }

    @Override
    public int hashCode() {
      return Node.hash(List.of(axes, min), inputs());
    }
  }

  static TensorType reduceType(ReduceOp op, TensorType x, Axes axes, boolean keepDims) {
    if (x.dtype() == DType.BOOL) throw new IrException("reduce_" + op.printName() + ": not defined on bool " + x);
    return x.withShape(reducedShape(x.shape(), axes, keepDims));
  }

  static Shape reducedShape(Shape s, Axes axes, boolean keepDims) {
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (!axes.contains(i)) out.add(s.get(i));
      else if (keepDims) out.add(Dim.of(1));
    }
    return new Shape(out);
  }

  static Node[] vjp(IrBuilder b, Reduce n, Node g) {
    Node x = n.x();
    // Bring g back to the rank of x (size-1 reduced axes), then spread it.
    Node gk = n.keepDims() ? g : b.reshape(g, reducedShape(x.shape(), n.axes(), true));
    Node spread = b.broadcast(gk, x.shape());
    return switch (n.op()) {
      case SUM -> new Node[] {spread};
      case MAX, MIN -> new Node[] {
          b.where(b.firstMaxMask(x, n.axes(), n.op() == ReduceOp.MIN), spread, b.scalar(0, g))};
    };
  }
}
