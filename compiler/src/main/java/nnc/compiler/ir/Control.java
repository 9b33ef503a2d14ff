package nnc.compiler.ir;

import java.util.List;

/** Ops that change how gradients flow, not values. */
public final class Control {
  private Control() {}

  /** The identity whose gradient is cut: reverse mode never walks through it. */
  public record StopGradient(Node x, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "stop_gradient";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof StopGradient s && x == s.x;
    }

    @Override
    public int hashCode() {
      return Node.hash("stop_gradient", inputs());
    }
  }

  static Node[] vjp(IrBuilder b, StopGradient n, Node g) {
    return new Node[] {null};
  }

  /**
   * Inverted dropout (PyTorch's convention): in training, each element is kept where its noise is
   * at least {@code p} and scaled by 1/(1-p), else zeroed; in evaluation it is the identity. Which
   * one runs is decided by the entry point (the training step vs inference and evaluation), so one
   * compiled model switches modes without recompiling. The interpreter runs the training form when
   * asked to.
   */
  public record Dropout(Node x, Node noise, double p, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x, noise);
    }

    @Override
    public String opName() {
      return "dropout";
    }

    @Override
    public String attributes() {
      return "p=" + Leaf.Literal.format(p);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Dropout d && x == d.x && noise == d.noise && p == d.p;
    }

    @Override
    public int hashCode() {
      return Node.hash(p, inputs());
    }
  }

  static TensorType dropoutType(TensorType x, TensorType noise, double p) {
    if (!x.isFloat()) throw new IrException("dropout: expects a float tensor, got " + x);
    if (!(p >= 0 && p < 1)) throw new IrException("dropout: p must be in [0, 1), got " + p);
    if (!noise.shape().equals(x.shape())) throw new IrException("dropout: noise " + noise + " does not match " + x);
    return x;
  }

  /** The training-mode mask as IR: keep where noise >= p, scaled by 1/(1-p). */
  static Node trainingMask(IrBuilder b, Dropout n, Node v) {
    Node keep = b.binary(BinaryOp.GE, n.noise(), b.scalar(n.p(), n.noise()));
    return b.where(keep, b.mul(v, b.scalar(1 / (1 - n.p()), v)), b.scalar(0, v));
  }

  static Node[] vjp(IrBuilder b, Dropout n, Node g) {
    // Gradients exist only in training, where dropout multiplies by the (constant) mask.
    return new Node[] {trainingMask(b, n, g), null};
  }

  /**
   * A value that depends on the mode: {@code train} in the training step (and in the interpreter's
   * training mode), {@code eval} in inference and evaluation, broadcast to their common shape. Batch norm uses it to normalize by
   * the batch's statistics while training and by the running statistics otherwise. The compiler
   * resolves it per entry point before optimizing ({@code lower/Modes}), so one compiled model has
   * both behaviours without recompiling and the branch an entry does not use is never computed.
   */
  public record ByMode(Node train, Node eval, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(train, eval);
    }

    @Override
    public String opName() {
      return "by_mode";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByMode m && train == m.train && eval == m.eval;
    }

    @Override
    public int hashCode() {
      return Node.hash("by_mode", inputs());
    }

    /** The branch of a mode. */
    public Node branch(boolean training) {
      return training ? train : eval;
    }
  }

  /** The branches broadcast against each other (so that a gradient's zero can stay a scalar). */
  static TensorType byModeType(TensorType train, TensorType eval) {
    if (train.dtype() != eval.dtype()) {
      throw new IrException("by_mode: the training value " + train + " and the evaluation value " + eval + " have different element types");
    }
    return train.withShape(Elementwise.broadcast("by_mode(" + train + ", " + eval + ")", train.shape(), eval.shape()));
  }

  static Node[] vjp(IrBuilder b, ByMode n, Node g) {
    // The cotangent goes to the branch the mode chose and a (scalar, never materialized) zero to
    // the other, so the gradient is right in both modes and, built from by_mode again, to any order.
    Node zero = b.scalar(0, g);
    return new Node[] {b.sumTo(b.byMode(g, zero), n.train().shape()), b.sumTo(b.byMode(zero, g), n.eval().shape())};
  }
}
