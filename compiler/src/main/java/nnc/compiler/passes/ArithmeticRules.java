package nnc.compiler.passes;

import static nnc.compiler.passes.Match.as;
import static nnc.compiler.passes.Match.binary;
import static nnc.compiler.passes.Match.isConst;
import static nnc.compiler.passes.Match.scalar;
import static nnc.compiler.passes.Match.unary;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.UnaryOp;
import nnc.runtime.DType;

/**
 * Arithmetic identities, to a canonical form: operands of + and * in {@link OperandOrder}
 * (constants last), identities (x*1, x+0, x-0, 0-x, x/1, x/x for x known positive, -(-x)),
 * constants gathered (2*(3*x) = 6x, x + 2x = 3x), strength reduction of powers with a constant
 * exponent, and exp/log pairs.
 *
 * <p>Deliberately absent: x*0 = 0 and x-x = 0, which are false for x = inf or NaN and so would
 * hide an overflow; exp(log x) = x unless x is known positive. Reassociating constants may
 * change results by a rounding (about one ulp); multiplying by a power of two never does.
 */
final class ArithmeticRules {
  private final OperandOrder order = new OperandOrder();

  Node rule(Node n, IrBuilder b) {
    return switch (n) {
      case Elementwise.Binary x when OperandOrder.isCommutative(x.op()) && order.swapped(x.a(), x.b()) ->
          b.binary(x.op(), x.b(), x.a());
      case Elementwise.Unary u -> unaryRule(u, b);
      case Elementwise.Binary x -> switch (x.op()) {
        case ADD -> add(x, b);
        case SUB -> sub(x, b);
        case MUL -> mul(x, b);
        case DIV -> div(x, b);
        case POW -> pow(x, b);
        case MAX, MIN -> x.a() == x.b() ? as(b, x.a(), x.type()) : null;
        default -> null;
      };
      case Elementwise.Where w when w.a() == w.b() -> as(b, w.a(), w.type());
      case Elementwise.Where w when Match.uniform(w.cond()) != null ->
          as(b, Match.uniform(w.cond()) != 0 ? w.a() : w.b(), w.type());
      // f32 -> f64 -> f32 (and i32 -> f64 -> i32, bool -> any -> bool) is the identity.
      case Elementwise.Cast c when c.x() instanceof Elementwise.Cast inner && inner.x().dtype() == c.dtype()
          && exactRoundTrip(c.dtype(), inner.dtype()) -> inner.x();
      // Sums are linear: a scalar factor moves out of the reduction, onto the smaller result.
      case Reduction.Reduce r when r.op() == ReduceOp.SUM && scalarFactor(r.x()) != null -> {
        Elementwise.Binary m = (Elementwise.Binary) r.x();
        Node s = scalarFactor(m), rest = Match.besides(m, s);
        yield b.mul(b.reduce(ReduceOp.SUM, rest, r.axes(), r.keepDims()), s);
      }
      case Reduction.Reduce r when r.op() == ReduceOp.SUM && unary(r.x(), UnaryOp.NEG) != null ->
          b.neg(b.reduce(ReduceOp.SUM, unary(r.x(), UnaryOp.NEG), r.axes(), r.keepDims()));
      default -> null;
    };
  }

  private static Node unaryRule(Elementwise.Unary u, IrBuilder b) {
    Node x = u.x();
    return switch (u.op()) {
      case NEG -> {
        if (unary(x, UnaryOp.NEG) != null) yield unary(x, UnaryOp.NEG);
        Elementwise.Binary m = binary(x, BinaryOp.MUL);
        if (m != null && scalar(m.b()) != null) yield b.mul(m.a(), constant(b, -scalar(m.b()), m.b()));
        Elementwise.Binary s = binary(x, BinaryOp.SUB);
        yield s != null ? b.sub(s.b(), s.a()) : null;
      }
      case LOG -> unary(x, UnaryOp.EXP);
      case EXP -> {
        if (x instanceof nnc.compiler.ir.Normalizer.LogSoftmax l) yield b.softmax(l.x(), l.axis());
        Node inner = unary(x, UnaryOp.LOG);
        yield inner != null && Match.positive(inner) ? inner : null;
      }
      case RELU, ABS -> unary(x, u.op()) != null || (u.op() == UnaryOp.ABS && unary(x, UnaryOp.NEG) != null)
          ? b.unary(u.op(), ((Elementwise.Unary) x).x()) : null;
      default -> null;
    };
  }

  private static Node add(Elementwise.Binary n, IrBuilder b) {
    Node x = n.a(), y = n.b();
    if (isConst(y, 0)) return as(b, x, n.type());
    if (isConst(x, 0)) return as(b, y, n.type());
    if (unary(y, UnaryOp.NEG) != null) return b.sub(x, unary(y, UnaryOp.NEG));
    if (unary(x, UnaryOp.NEG) != null) return b.sub(y, unary(x, UnaryOp.NEG));
    Elementwise.Binary inner = binary(x, BinaryOp.ADD);
    if (scalar(y) != null && inner != null && scalar(inner.b()) != null) {
      return b.add(inner.a(), folded(b, b.add(inner.b(), y)));
    }
    // c1*t + c2*t = (c1 + c2)*t, including t + t = 2t
    Node tx = term(x), ty = term(y);
    if (tx == ty && tx.shape().equals(n.shape())) {
      return b.mul(tx, folded(b, b.add(coefficient(x, b), coefficient(y, b))));
    }
    return null;
  }

  private static Node sub(Elementwise.Binary n, IrBuilder b) {
    Node x = n.a(), y = n.b();
    if (isConst(y, 0)) return as(b, x, n.type());
    if (isConst(x, 0) && n.type().isFloat()) return as(b, b.neg(y), n.type());
    if (unary(y, UnaryOp.NEG) != null) return b.add(x, unary(y, UnaryOp.NEG));
    // Negations move outwards, where they cancel or meet a constant: -a - b = -(a + b).
    if (unary(x, UnaryOp.NEG) != null) return b.neg(b.add(unary(x, UnaryOp.NEG), y));
    return null;
  }

  private static Node mul(Elementwise.Binary n, IrBuilder b) {
    Node x = n.a(), y = n.b();
    if (isConst(y, 1)) return as(b, x, n.type());
    if (isConst(x, 1)) return as(b, y, n.type());
    if (isConst(y, -1) && n.type().isFloat()) return as(b, b.neg(x), n.type());
    if (unary(x, UnaryOp.NEG) != null && unary(y, UnaryOp.NEG) != null) {
      return b.mul(unary(x, UnaryOp.NEG), unary(y, UnaryOp.NEG));
    }
    Double c = scalar(y);
    if (c == null) {
      // (t * c) * s = t * (s * c) for a rank-0 s: the constant meets the scalar, not the tensor.
      Elementwise.Binary tc = binary(x, BinaryOp.MUL);
      if (tc != null && scalar(tc.b()) != null && y.shape().rank() == 0 && tc.a().shape().equals(n.shape())) {
        return b.mul(tc.a(), b.mul(y, tc.b()));
      }
      if (unary(x, UnaryOp.NEG) != null) return b.neg(b.mul(unary(x, UnaryOp.NEG), y));
      if (unary(y, UnaryOp.NEG) != null) return b.neg(b.mul(x, unary(y, UnaryOp.NEG)));
      return null;
    }
    Elementwise.Binary m = binary(x, BinaryOp.MUL);
    if (m != null && scalar(m.b()) != null) return b.mul(m.a(), folded(b, b.mul(m.b(), y)));
    if (m != null && m.b().shape().rank() == 0 && m.a().shape().rank() > 0) return b.mul(m.a(), b.mul(m.b(), y));
    if (unary(x, UnaryOp.NEG) != null) return b.mul(unary(x, UnaryOp.NEG), constant(b, -c, y));
    Elementwise.Binary d = binary(x, BinaryOp.DIV);
    if (d != null && scalar(d.a()) != null) return b.div(folded(b, b.mul(d.a(), y)), d.b());
    return null;
  }

  private static Node div(Elementwise.Binary n, IrBuilder b) {
    Node x = n.a(), y = n.b();
    if (isConst(y, 1)) return as(b, x, n.type());
    if (x == y && Match.positive(x)) return Match.constant(b, 1, n.type());
    Double c = scalar(y);
    // x / 2^k = x * 2^-k exactly; other reciprocals would round.
    if (c != null && n.type().isFloat() && c != 0 && Math.abs(c) == Math.scalb(1.0, Math.getExponent(c))
        && Math.getExponent(c) > Double.MIN_EXPONENT) {
      return b.mul(x, constant(b, 1 / c, y));
    }
    return null;
  }

  /** Strength reduction of x^c for the constant exponents that have a cheaper exact form. */
  private static Node pow(Elementwise.Binary n, IrBuilder b) {
    Node x = n.a();
    Double c = scalar(n.b());
    if (c == null || !x.shape().equals(n.shape())) return null;
    if (c == 1) return x;
    if (c == 2) return b.mul(x, x);
    if (c == 0) return Match.constant(b, 1, n.type()); // x^0 = 1 for every x, NaN included (IEEE pow)
    if (!n.type().isFloat()) return null;
    if (c == 0.5) return b.unary(UnaryOp.SQRT, x);
    if (c == -1) return b.div(b.scalar(1, x), x);
    return null;
  }

  /** t of a product {@code t * c} with a scalar constant c, else the node itself. */
  private static Node term(Node n) {
    Elementwise.Binary m = binary(n, BinaryOp.MUL);
    return m != null && scalar(m.b()) != null ? m.a() : n;
  }

  private static Node coefficient(Node n, IrBuilder b) {
    Elementwise.Binary m = binary(n, BinaryOp.MUL);
    return m != null && scalar(m.b()) != null ? m.b() : b.scalar(1, n);
  }

  /** The rank-0 operand of a product with a larger operand, or null. */
  private static Node scalarFactor(Node n) {
    Elementwise.Binary m = binary(n, BinaryOp.MUL);
    if (m == null) return null;
    if (m.b().shape().rank() == 0 && m.a().shape().equals(m.shape())) return m.b();
    if (m.a().shape().rank() == 0 && m.b().shape().equals(m.shape())) return m.a();
    return null;
  }

  private static Node constant(IrBuilder b, double v, Node like) {
    return b.constant(like.type().isFloat() ? v : nnc.compiler.interp.NDArray.round(like.dtype(), v), like.dtype());
  }

  /** {@code n} folded when its operands are constants. */
  static Node folded(IrBuilder b, Node n) {
    Node f = FoldConstants.rule(n, b);
    return f != null ? f : n;
  }

  private static boolean exactRoundTrip(DType outer, DType via) {
    return outer == DType.BOOL || via == DType.F64 && (outer == DType.F32 || outer == DType.I32);
  }
}
