package nnc.compiler.passes;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Normalizer;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.TensorType;
import nnc.compiler.ir.UnaryOp;

/** Small matchers and facts shared by the rewrite rules. */
final class Match {
  private Match() {}

  /** The value of a constant whose elements are all equal (of any shape, possibly broadcast or reshaped), or null. */
  static Double uniform(Node n) {
    while (n instanceof Movement.Broadcast || n instanceof Movement.Reshape || n instanceof Movement.Transpose) {
      n = n.inputs().get(0);
    }
    if (!(n instanceof Leaf.Constant c) || c.value().length() == 0) return null;
    double v = c.value().get(0);
    for (int i = 1; i < c.value().length(); i++) {
      if (Double.compare(c.value().get(i), v) != 0) return null;
    }
    return v;
  }

  /** Whether {@code n} is a constant with every element equal to {@code v} (0 matches -0). */
  static boolean isConst(Node n, double v) {
    Double u = uniform(n);
    return u != null && u == v;
  }

  /** The value of a rank-0 constant, or null. */
  static Double scalar(Node n) {
    return n instanceof Leaf.Constant c && c.isScalar() ? c.scalar() : null;
  }

  /** The operand of {@code op(x)}, or null. */
  static Node unary(Node n, UnaryOp op) {
    return n instanceof Elementwise.Unary u && u.op() == op ? u.x() : null;
  }

  /** {@code n} as a binary node of {@code op}, or null. */
  static Elementwise.Binary binary(Node n, BinaryOp op) {
    return n instanceof Elementwise.Binary b && b.op() == op ? b : null;
  }

  /** For a node {@code x op y} with {@code op} commutative: the operand beside {@code x}, or null. */
  static Node besides(Elementwise.Binary b, Node x) {
    return b.a() == x ? b.b() : b.b() == x ? b.a() : null;
  }

  /** {@code x} as a value of type {@code t}: itself, or broadcast to t's shape (same element type). */
  static Node as(IrBuilder b, Node x, TensorType t) {
    return x.shape().equals(t.shape()) ? x : b.broadcast(x, t.shape());
  }

  /** A constant {@code v} of type {@code t}: a scalar, broadcast when t is not a scalar. */
  static Node constant(IrBuilder b, double v, TensorType t) {
    return as(b, b.constant(v, t.dtype()), t);
  }

  /** The x of {@code 1 + x} or {@code x + 1} (the 1 a constant of any broadcastable shape), when the sum has x's shape. */
  static Node onePlus(Node n) {
    Elementwise.Binary s = binary(n, BinaryOp.ADD);
    if (s == null) return null;
    if (isConst(s.b(), 1) && s.a().shape().equals(s.shape())) return s.a();
    if (isConst(s.a(), 1) && s.b().shape().equals(s.shape())) return s.b();
    return null;
  }

  /**
   * Whether {@code n} is known to be positive in exact arithmetic: exponentials, probabilities,
   * positive constants, dimension sizes, and what sums, products and quotients keep positive. In
   * floating point such values can still underflow to 0 or overflow; the rules that rely on this
   * fact are exactly the ones that remove those artifacts (g / s * s = g).
   */
  static boolean positive(Node n) {
    return positive(n, 0);
  }

  /** Facts are looked for this deep at most: long sums are not worth proving, nor a stack overflow. */
  private static final int MAX_DEPTH = 12;

  private static boolean positive(Node n, int depth) {
    if (depth > MAX_DEPTH) return false;
    int next = depth + 1;
    return switch (n) {
      case Leaf.Constant c -> {
        for (int i = 0; i < c.value().length(); i++) if (!(c.value().get(i) > 0)) yield false;
        yield true;
      }
      case Leaf.DimSize d -> true;
      case Elementwise.Unary u -> switch (u.op()) {
        case EXP, SIGMOID, SOFTPLUS -> true;
        case SQRT -> positive(u.x(), next);
        default -> false;
      };
      case Elementwise.Binary b -> switch (b.op()) {
        case ADD, MUL, DIV -> positive(b.a(), next) && positive(b.b(), next);
        // 1 - sigmoid(x) = sigmoid(-x)
        case SUB -> isConst(b.a(), 1) && unary(b.b(), UnaryOp.SIGMOID) != null;
        default -> false;
      };
      case Normalizer.Softmax s -> true;
      case Movement.Broadcast x -> positive(x.x(), next);
      case Movement.Reshape x -> positive(x.x(), next);
      case Movement.Transpose x -> positive(x.x(), next);
      case Reduction.Reduce r -> r.op() == ReduceOp.SUM && positive(r.x(), next);
      default -> false;
    };
  }
}
