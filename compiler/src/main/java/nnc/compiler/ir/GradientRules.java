package nnc.compiler.ir;

/**
 * Dispatches to the VJP rule that each op family defines next to its shape rule. Given the
 * cotangent {@code g} of a node's output, returns one cotangent per input (null where the input
 * gets no gradient: indices, conditions, step functions). The rules build ordinary IR with
 * {@code b}, so their output can itself be differentiated.
 */
public final class GradientRules {
  private GradientRules() {}

  public static Node[] vjp(IrBuilder b, Node n, Node g) {
    return switch (n) {
      case Leaf.Input i -> new Node[0];
      case Leaf.Param p -> new Node[0];
      case Leaf.Constant c -> new Node[0];
      case Leaf.DimSize d -> new Node[0];
      case Leaf.Iota i -> new Node[0];
      case Leaf.Noise x -> new Node[0];
      case Leaf.State x -> new Node[0];
      case Elementwise.Unary u -> Elementwise.vjp(b, u, g);
      case Elementwise.Binary x -> Elementwise.vjp(b, x, g);
      case Elementwise.Where w -> Elementwise.vjp(b, w, g);
      case Elementwise.Cast c -> Elementwise.vjp(b, c, g);
      case Reduction.Reduce r -> Reduction.vjp(b, r, g);
      case Reduction.ArgMax a -> new Node[] {null};
      case Reduction.FirstMaxMask m -> new Node[] {null};
      case Linalg.MatMul m -> Linalg.vjp(b, m, g);
      case Movement.Transpose t -> Movement.vjp(b, t, g);
      case Movement.Reshape r -> Movement.vjp(b, r, g);
      case Movement.Broadcast x -> Movement.vjp(b, x, g);
      case Movement.Slice s -> Movement.vjp(b, s, g);
      case Movement.Pad p -> Movement.vjp(b, p, g);
      case Movement.Concat c -> Movement.vjp(b, c, g);
      case Indexing.Gather x -> Indexing.vjp(b, x, g);
      case Indexing.ScatterAdd s -> Indexing.vjp(b, s, g);
      case Normalizer.Softmax s -> Normalizer.vjp(b, s, g);
      case Normalizer.LogSoftmax s -> Normalizer.vjp(b, s, g);
      case Control.StopGradient s -> Control.vjp(b, s, g);
      case Control.Dropout d -> Control.vjp(b, d, g);
      case Window.Unfold u -> Window.vjp(b, u, g);
      case Window.Fold f -> Window.vjp(b, f, g);
      case Control.ByMode m -> Control.vjp(b, m, g);
    };
  }

  /** The name of the rule that differentiates {@code n}, shown in provenance comments. */
  public static String ruleName(Node n) {
    return n.opName();
  }
}
