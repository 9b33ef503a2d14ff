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
}
