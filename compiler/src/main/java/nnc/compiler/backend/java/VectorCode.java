package nnc.compiler.backend.java;

import static nnc.compiler.backend.java.JavaTypes.FLOAT_VECTOR;
import static nnc.compiler.backend.java.JavaTypes.VECTOR_OPERATORS;

import com.palantir.javapoet.CodeBlock;
import java.util.HashMap;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;

/**
 * The body of a Vector API loop: one iteration handles {@code S.length()} consecutive values of
 * the loop variable, starting at its current value. A sub-expression that does not mention the
 * loop variable is the same in every lane; it stays a scalar float expression (with the exact
 * scalar meaning) and enters vector code as the scalar argument of a lane-wise operation or
 * through {@code FloatVector.broadcast}. Each vector load, and each vector value used twice, is
 * named by a local so that the statements read as short chains; everything is written inline in
 * the loop body, never through a helper method (C2 would box vectors passed to one).
 */
final class VectorCode {
  /** A value in the loop body: a FloatVector expression, or a float that all lanes share. */
  private record Val(Expr code, boolean lanes) {}

  private final Names names;
  private final ScalarCode scalar;
  private final CodeBlock.Builder out;
  private final String var;
  /** Vector values already named for the current statement; reset per statement, after stores. */
  private final Map<Fx, Expr> named = new HashMap<>();
  private final Map<Fx, Integer> uses = new HashMap<>();

  /** @param var the loop variable as the kernel IR names it */
  VectorCode(Names names, ScalarCode scalar, CodeBlock.Builder out, String var) {
    this.names = names;
    this.scalar = scalar;
    this.out = out;
    this.var = var;
  }

  /** One store of an element loop, for the lanes starting at the loop variable. */
  void store(St.Store s) {
    startStatement(s.value());
    String array = ScalarCode.array(s.space());
    Expr index = scalar.ix(s.index());
    if (s.accumulate() && s.value() instanceof Fx.Binary b && b.op() == BinaryOp.MUL) {
      Val x = value(b.a()), y = value(b.b());
      if (x.lanes() || y.lanes()) {
        Val acc = value(new Fx.Load(s.space(), s.index()));
        Val factor = x.lanes() ? x : y, other = x.lanes() ? y : x;
        CodeBlock second = other.lanes() ? arg(other) : lanes(other);
        out.addStatement("$L.fma($L, $L)$Z.intoArray($L, $L)", factor.code().code(), second, acc.code().code(), array,
            index.code());
        return;
      }
    }
    Val v = value(s.value());
    if (s.accumulate()) {
      Val acc = value(new Fx.Load(s.space(), s.index()));
      // a[i] + v is v + a[i]: the value's chain goes first when it is a vector
      if (v.lanes()) {
        out.addStatement("$L.add($L)$Z.intoArray($L, $L)", v.code().code(), acc.code().code(), array, index.code());
      } else {
        out.addStatement("$L.add($L)$Z.intoArray($L, $L)", acc.code().code(), v.code().code(), array, index.code());
      }
    } else {
      out.addStatement("$L$Z.intoArray($L, $L)", lanes(v), array, index.code());
    }
  }

  /** One step of a vectorized reduction: {@code lanes = op(lanes, value)} lane by lane. */
  void reduceStep(ReduceOp op, String lanes, Fx value) {
    startStatement(value);
    if (op == ReduceOp.SUM && value instanceof Fx.Binary b && b.op() == BinaryOp.MUL) {
      Val x = value(b.a()), y = value(b.b());
      if (x.lanes() || y.lanes()) {
        Val factor = x.lanes() ? x : y, other = x.lanes() ? y : x;
        CodeBlock second = other.lanes() ? arg(other) : lanes(other);
        out.addStatement("$L = $L.fma($L, $L)", lanes, factor.code().code(), second, lanes);
        return;
      }
    }
    Val v = value(value);
    String method = switch (op) {
      case SUM -> "add";
      case MAX -> "max";
      case MIN -> "min";
    };
    // sum, max and min commute: the new lanes go first so that the statement reads as one chain
    if (v.lanes()) out.addStatement("$L = $L.$L($L)", lanes, v.code().code(), method, lanes);
    else out.addStatement("$L = $L.$L($L)", lanes, lanes, method, v.code().code());
  }

  private void startStatement(Fx value) {
    named.clear();
    uses.clear();
    count(value);
  }

  /** Counts occurrences of each sub-expression, not descending into repeats (they get a name). */
  private void count(Fx x) {
    if (uses.merge(x, 1, Integer::sum) > 1) return;
    switch (x) {
      case Fx.Unary u -> count(u.x());
      case Fx.Binary b -> {
        count(b.a());
        count(b.b());
      }
      case Fx.Select s -> {
        count(s.cond());
        count(s.a());
        count(s.b());
      }
      case Fx.Const c -> {}
      case Fx.Load l -> {}
      case Fx.Local l -> {}
      case Fx.FromInt i -> {}
      case Fx.Trunc t -> {}
    }
  }

  private Val value(Fx x) {
    if (!mentionsVar(x)) return new Val(scalar.fx(x), false);
    Expr done = named.get(x);
    if (done != null) return new Val(done, true);
    Val v = switch (x) {
      case Fx.Load l -> Vectorizer.coefficient(l.index(), var) == 0
          ? new Val(scalar.fx(l), false)
          : new Val(name(Expr.primary("$T.fromArray(S, $L, $L)", FLOAT_VECTOR,
              ScalarCode.array(l.space()), scalar.ix(l.index()).code())), true);
      case Fx.Unary u -> unary(u.op(), value(u.x()));
      case Fx.Binary b -> binary(b.op(), value(b.a()), value(b.b()));
      case Fx.Select s -> select(s.cond(), value(s.a()), value(s.b()));
      case Fx.Const c -> throw notLanewise(x);
      case Fx.Local l -> throw notLanewise(x);
      case Fx.FromInt i -> throw notLanewise(x);
      case Fx.Trunc t -> throw notLanewise(x);
    };
    if (v.lanes() && uses.getOrDefault(x, 0) > 1 && !v.code().isSimple()) v = new Val(name(v.code()), true);
    if (v.lanes()) named.put(x, v.code());
    return v;
  }

  private Val unary(UnaryOp op, Val x) {
    if (!x.lanes()) return new Val(ScalarCode.unary(op, x.code()), false);
    CodeBlock c = x.code().code();
    return switch (op) {
      case NEG -> vec("$L.neg()", c);
      case ABS -> vec("$L.abs()", c);
      case SQRT -> vec("$L.sqrt()", c);
      case EXP, LOG, LOG1P, SIN, COS, TANH -> vec("$L.lanewise($T.$L)", c, VECTOR_OPERATORS, op.name());
      case RELU -> vec("$L.max(0f)", c);
      // 1 / (1 + e^-x): exp overflows to infinity for very negative x, giving the right limit 0
      case SIGMOID -> vec("$T.broadcast(S, 1f).div($L.neg().lanewise($T.EXP).add(1f))",
          FLOAT_VECTOR, c, VECTOR_OPERATORS);
      case SOFTPLUS -> {
        CodeBlock n = x.code().isSimple() ? c : name(x.code()).code();
        yield vec("$L.max(0f).add($L.abs().neg().lanewise($T.EXP).lanewise($T.LOG1P))",
            n, n, VECTOR_OPERATORS, VECTOR_OPERATORS);
      }
      case HEAVISIDE -> vec("$T.zero(S).blend(1f, $L.compare($T.GT, 0f))", FLOAT_VECTOR, c, VECTOR_OPERATORS);
      case SIGN, ERF -> throw new IllegalStateException("no lane-wise form for " + op);
    };
  }

  private Val binary(BinaryOp op, Val a, Val b) {
    if (!a.lanes() && !b.lanes()) return new Val(ScalarCode.binary(op, a.code(), b.code()), false);
    if (op.isComparison()) return vec("$T.zero(S).blend(1f, $L)", FLOAT_VECTOR, comparison(op, a, b));
    if (!a.lanes()) {
      // a scalar on the left: swap the operands of a commutative op (exact in IEEE arithmetic,
      // Math.max and Math.min included), broadcast it otherwise
      boolean commutes = switch (op) {
        case ADD, MUL, MAX, MIN -> true;
        case SUB, DIV, POW, LT, LE, GT, GE, EQ, NE -> false;
      };
      if (commutes) return binary(op, b, a);
      a = new Val(Expr.primary("$T.broadcast(S, $L)", FLOAT_VECTOR, a.code().code()), true);
    }
    CodeBlock x = a.code().code(), y = arg(b);
    return switch (op) {
      case ADD -> vec("$L.add($L)", x, y);
      case SUB -> vec("$L.sub($L)", x, y);
      case MUL -> vec("$L.mul($L)", x, y);
      case DIV -> vec("$L.div($L)", x, y);
      case MAX -> vec("$L.max($L)", x, y);
      case MIN -> vec("$L.min($L)", x, y);
      case POW -> vec("$L.lanewise($T.POW, $L)", x, VECTOR_OPERATORS, y);
      case LT, LE, GT, GE, EQ, NE -> throw new IllegalStateException("comparisons are masks");
    };
  }

  /** cond != 0 ? a : b, lane by lane: b with the lanes where cond is non-zero replaced by a. */
  private Val select(Fx cond, Val a, Val b) {
    if (!mentionsVar(cond) && !a.lanes() && !b.lanes()) {
      return new Val(Expr.primary("($L ? $L : $L)", scalar.condition(cond), a.code().code(), b.code().code()), false);
    }
    return vec("$L.blend($L, $L)", lanes(b), arg(a), mask(cond));
  }

  /**
   * The lanes where {@code cond != 0}: a comparison or a step gives its mask directly, since
   * {@code (x < y ? 1 : 0) != 0} is {@code x < y}; any other value is compared with 0.
   */
  private CodeBlock mask(Fx cond) {
    if (cond instanceof Fx.Binary b && b.op().isComparison()) {
      Val x = value(b.a()), y = value(b.b());
      if (x.lanes() || y.lanes()) return comparison(b.op(), x, y);
    }
    if (cond instanceof Fx.Unary u && u.op() == UnaryOp.HEAVISIDE) {
      Val x = value(u.x());
      if (x.lanes()) return CodeBlock.of("$L.compare($T.GT, 0f)", x.code().code(), VECTOR_OPERATORS);
    }
    Val c = value(cond);
    return CodeBlock.of("$L.compare($T.NE, 0f)", c.lanes() ? arg(c) : lanes(c), VECTOR_OPERATORS);
  }

  /** {@code x op y} as a mask, x or y lane-wise; a shared scalar on the left swaps sides. */
  private CodeBlock comparison(BinaryOp op, Val x, Val y) {
    if (!x.lanes()) {
      BinaryOp flipped = switch (op) {
        case LT -> BinaryOp.GT;
        case LE -> BinaryOp.GE;
        case GT -> BinaryOp.LT;
        case GE -> BinaryOp.LE;
        case EQ, NE -> op;
        case ADD, SUB, MUL, DIV, POW, MAX, MIN -> throw new IllegalArgumentException("not a comparison: " + op);
      };
      return comparison(flipped, y, x);
    }
    return CodeBlock.of("$L.compare($T.$L, $L)", x.code().code(), VECTOR_OPERATORS, op.name(), arg(y));
  }

  /**
   * A value in argument position: a shared scalar as it is (the lane-wise methods take a float),
   * a vector by name, so that each statement stays one chain of calls on its receiver.
   */
  private CodeBlock arg(Val v) {
    return !v.lanes() || v.code().isSimple() ? v.code().code() : name(v.code()).code();
  }

  /** A value as a FloatVector expression, broadcasting a shared scalar. */
  private CodeBlock lanes(Val v) {
    if (v.lanes()) return v.code().code();
    if (v.code().toString().equals("0f")) return CodeBlock.of("$T.zero(S)", FLOAT_VECTOR);
    return CodeBlock.of("$T.broadcast(S, $L)", FLOAT_VECTOR, v.code().code());
  }

  /** Declares {@code FloatVector tN = code;} and returns the name. */
  private Expr name(Expr code) {
    String n = names.numbered("t");
    out.addStatement("$T $L = $L", FLOAT_VECTOR, n, code.code());
    return Expr.name(n);
  }

  private static Val vec(String format, Object... args) {
    return new Val(Expr.primary(format, args), true);
  }

  private boolean mentionsVar(Fx x) {
    return switch (x) {
      case Fx.Const c -> false;
      case Fx.Local l -> false;
      case Fx.Load l -> Vectorizer.mentions(l.index(), var);
      case Fx.Unary u -> mentionsVar(u.x());
      case Fx.Binary b -> mentionsVar(b.a()) || mentionsVar(b.b());
      case Fx.Select s -> mentionsVar(s.cond()) || mentionsVar(s.a()) || mentionsVar(s.b());
      case Fx.FromInt i -> Vectorizer.mentions(i.value(), var);
      case Fx.Trunc t -> mentionsVar(t.x());
    };
  }

  private IllegalStateException notLanewise(Fx x) {
    return new IllegalStateException("no lane-wise form in a loop over " + var + ": " + x);
  }
}
