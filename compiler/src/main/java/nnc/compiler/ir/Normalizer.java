package nnc.compiler.ir;

import java.util.List;

/**
 * softmax and log_softmax along one axis, as primitives: both are evaluated in the stable form
 * (max subtracted) and their gradients avoid dividing by probabilities.
 */
public final class Normalizer {
  private Normalizer() {}

  public record Softmax(Node x, int axis, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "softmax";
    }

    @Override
    public String attributes() {
      return "axis=" + axis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Softmax s && x == s.x && axis == s.axis;
    }

    @Override
    public int hashCode() {
      return Node.hash(axis, inputs());
    }
  }

  public record LogSoftmax(Node x, int axis, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "log_softmax";
    }

    @Override
    public String attributes() {
      return "axis=" + axis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LogSoftmax s && x == s.x && axis == s.axis;
    }

    @Override
    public int hashCode() {
      return Node.hash(axis, inputs()) + 1;
    }
  }

  static TensorType type(String op, TensorType x, int axis) {
    if (!x.isFloat()) throw new IrException(op + ": expects a float tensor, got " + x);
    if (axis < 0 || axis >= x.rank()) throw new IrException(op + ": axis " + axis + " out of range for " + x);
    return x;
  }

  static Node[] vjp(IrBuilder b, Softmax n, Node g) {
    // y = softmax(x):  dx = y * (g - sum(g * y, axis))
    Node dot = b.reduce(ReduceOp.SUM, b.mul(g, n), Axes.of(n.axis()), true);
    return new Node[] {b.mul(n, b.sub(g, dot))};
  }

  static Node[] vjp(IrBuilder b, LogSoftmax n, Node g) {
    // y = log_softmax(x):  dx = g - exp(y) * sum(g, axis)
    Node total = b.reduce(ReduceOp.SUM, g, Axes.of(n.axis()), true);
    return new Node[] {b.sub(g, b.mul(b.unary(UnaryOp.EXP, n), total))};
  }
}
