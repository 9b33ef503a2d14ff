package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import nnc.runtime.DType;

/**
 * Elementwise ops with NumPy broadcasting. Gradients of broadcast operands are summed back to
 * the operand's shape ({@link IrBuilder#sumTo}).
 */
public final class Elementwise {
  private Elementwise() {}

  public record Unary(UnaryOp op, Node x, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return op.printName();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unary u && op == u.op && x == u.x;
    }

    @Override
    public int hashCode() {
      return Node.hash(op, inputs());
    }
  }

  public record Binary(BinaryOp op, Node a, Node b, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(a, b);
    }

    @Override
    public String opName() {
      return op.printName();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary u && op == u.op && a == u.a && b == u.b;
    }

    @Override
    public int hashCode() {
      return Node.hash(op, inputs());
    }
  }

  /** {@code where(cond, a, b)}: a where cond is true, else b; all three broadcast. */
  public record Where(Node cond, Node a, Node b, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(cond, a, b);
    }

    @Override
    public String opName() {
      return "where";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Where w && cond == w.cond && a == w.a && b == w.b;
    }

    @Override
    public int hashCode() {
      return Node.hash("where", inputs());
    }
  }

  /** Conversion between element types (f32 to f64, i32 labels to f32, bool masks to f32). */
  public record Cast(Node x, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "cast";
    }

    @Override
    public String attributes() {
      return type.dtype().languageName();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Cast c && x == c.x && type.dtype() == c.type.dtype();
    }

    @Override
    public int hashCode() {
      return Node.hash(type.dtype(), inputs());
    }
  }

  // ---- shape and dtype rules ------------------------------------------------------------------

  static TensorType unaryType(UnaryOp op, TensorType x) {
    if (!x.isFloat()) {
      throw new IrException(op.printName() + ": expects a float tensor, got " + x);
    }
    return x;
  }

  static TensorType binaryType(BinaryOp op, TensorType a, TensorType b) {
    String what = op.symbol().chars().allMatch(Character::isLetter)
        ? op.symbol() + "(" + a + ", " + b + ")"
        : a + " " + op.symbol() + " " + b;
    if (a.dtype() != b.dtype()) {
      throw new IrException(op.printName() + ": " + what + ": element types differ"
          + " (convert one with f32(...), f64(...) or i32(...))");
    }
    if (a.dtype() == DType.BOOL && !(op == BinaryOp.EQ || op == BinaryOp.NE)) {
      throw new IrException(op.printName() + ": " + what + ": not defined on bool");
    }
    Shape s = broadcast(op.printName() + ": " + what, a.shape(), b.shape());
    return new TensorType(op.isComparison() ? DType.BOOL : a.dtype(), s);
  }

  static TensorType whereType(TensorType c, TensorType a, TensorType b) {
    if (c.dtype() != DType.BOOL) throw new IrException("where: condition must be bool, got " + c);
    if (a.dtype() != b.dtype()) {
      throw new IrException("where: branches " + a + " and " + b + " have different element types");
    }
    String what = "where(" + c + ", " + a + ", " + b + ")";
    return a.withShape(broadcast("where: " + what, c.shape(), broadcast("where: " + what, a.shape(), b.shape())));
  }

  /** NumPy broadcasting: align trailing axes; sizes must match or one of them be 1. */
  public static Shape broadcast(String context, Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    List<Dim> out = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
      Dim da = ia >= 0 ? a.get(ia) : Dim.of(1);
      Dim db = ib >= 0 ? b.get(ib) : Dim.of(1);
      if (da.equals(db) || db.isOne()) out.add(da);
      else if (da.isOne()) out.add(db);
      else {
        throw new IrException(context + ": shapes do not broadcast: dimension " + da + " vs " + db);
      }
    }
    return new Shape(out);
  }

  // ---- gradient rules: each returns one cotangent per input, null where there is none ----------

  static Node[] vjp(IrBuilder b, Unary n, Node g) {
    Node x = n.x();
    Node d = switch (n.op()) {
      case NEG -> b.neg(g);
      case EXP -> b.mul(g, n);
      case LOG -> b.div(g, x);
      case LOG1P -> b.div(g, b.add(x, b.scalar(1, x)));
      case SQRT -> b.div(g, b.mul(b.scalar(2, x), n));
      case ABS -> b.mul(g, b.unary(UnaryOp.SIGN, x));
      case SIN -> b.mul(g, b.unary(UnaryOp.COS, x));
      case COS -> b.neg(b.mul(g, b.unary(UnaryOp.SIN, x)));
      case RELU -> b.mul(g, b.unary(UnaryOp.HEAVISIDE, x));
      case SIGMOID -> b.mul(g, b.mul(n, b.sub(b.scalar(1, n), n)));
      case TANH -> b.mul(g, b.sub(b.scalar(1, n), b.mul(n, n)));
      case SOFTPLUS -> b.mul(g, b.unary(UnaryOp.SIGMOID, x));
      // d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
      case ERF -> b.mul(g, b.mul(b.scalar(2 / Math.sqrt(Math.PI), x), b.unary(UnaryOp.EXP, b.neg(b.mul(x, x)))));
      case SIGN, HEAVISIDE -> null;
    };
    return new Node[] {d};
  }

  static Node[] vjp(IrBuilder b, Binary n, Node g) {
    Node x = n.a(), y = n.b();
    return switch (n.op()) {
      case ADD -> new Node[] {b.sumTo(g, x.shape()), b.sumTo(g, y.shape())};
      case SUB -> new Node[] {b.sumTo(g, x.shape()), b.sumTo(b.neg(g), y.shape())};
      case MUL -> new Node[] {b.sumTo(b.mul(g, y), x.shape()), b.sumTo(b.mul(g, x), y.shape())};
      // d(x/y)/dy = -x/y^2 = -(x/y)/y
      case DIV -> new Node[] {b.sumTo(b.div(g, y), x.shape()), b.sumTo(b.neg(b.div(b.mul(g, n), y)), y.shape())};
      case POW -> {
        // d/dx x^y = y x^(y-1), taken as 0 at x = y = 0 (PyTorch), where the formula gives 0 * inf.
        // d/dy x^y = x^y log x, taken as 0 where x = 0; log's argument is made 1 there so that the
        // untaken branch stays finite and second derivatives are not NaN.
        Node zero = b.scalar(0, n), one = b.scalar(1, n);
        Node xZero = b.binary(BinaryOp.EQ, x, b.scalar(0, x));
        Node base = b.mul(y, b.binary(BinaryOp.POW, x, b.sub(y, b.scalar(1, y))));
        boolean nonZeroExponent = y instanceof Leaf.Constant c && c.isScalar() && c.scalar() != 0;
        Node dBase = nonZeroExponent ? base : b.where(xZero, b.where(b.binary(BinaryOp.EQ, y, b.scalar(0, y)), zero, base), base);
        Node logX = b.unary(UnaryOp.LOG, b.where(xZero, one, x));
        yield new Node[] {
            b.sumTo(b.mul(g, dBase), x.shape()),
            b.sumTo(b.mul(g, b.where(xZero, zero, b.mul(n, logX))), y.shape())};
      }
      case MAX, MIN -> {
        // Ties send the gradient to the first operand.
        Node firstWins = b.binary(n.op() == BinaryOp.MAX ? BinaryOp.GE : BinaryOp.LE, x, y);
        Node zero = b.scalar(0, g);
        yield new Node[] {b.sumTo(b.where(firstWins, g, zero), x.shape()),
            b.sumTo(b.where(firstWins, zero, g), y.shape())};
      }
      case LT, LE, GT, GE, EQ, NE -> new Node[] {null, null};
    };
  }

  static Node[] vjp(IrBuilder b, Where n, Node g) {
    Node zero = b.scalar(0, g);
    return new Node[] {null, b.sumTo(b.where(n.cond(), g, zero), n.a().shape()),
        b.sumTo(b.where(n.cond(), zero, g), n.b().shape())};
  }

  static Node[] vjp(IrBuilder b, Cast n, Node g) {
    boolean differentiable = n.x().type().isFloat() && n.type().isFloat();
    return new Node[] {differentiable ? b.cast(g, n.x().dtype()) : null};
  }
}
