package nnc.compiler.backend.java;

import static nnc.compiler.backend.java.Expr.ADDITIVE;
import static nnc.compiler.backend.java.Expr.MULTIPLICATIVE;

import com.palantir.javapoet.CodeBlock;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Space;
import nnc.runtime.ScalarOps;

/**
 * Int and float expressions of the kernel IR as scalar Java. The meaning is the {@link
 * nnc.compiler.kernel.KernelInterpreter}'s, bit for bit: the interpreter applies each op in double
 * and rounds to float, which for + - * / and sqrt equals the float operation (a double holds more
 * than twice a float's precision), and which the generated code spells {@code (float) Math.exp(x)}
 * for the library functions.
 */
final class ScalarCode {
  private final Names names;

  ScalarCode(Names names) {
    this.names = names;
  }

  Expr ix(Ix x) {
    return switch (x) {
      case Ix.Const c -> Expr.intLiteral(c.value());
      case Ix.Var v -> Expr.name(names.intVar(v.name()));
      case Ix.Rt r -> names.rtLocal(r.slot()) != null
          ? Expr.name(names.rtLocal(r.slot()))
          : Expr.primary("rt[$L]", r.slot());
      case Ix.Add a -> a.b() instanceof Ix.Const c && c.value() < 0 && c.value() != Integer.MIN_VALUE
          ? Expr.infix(ix(a.a()), "-", Expr.intLiteral(-c.value()), ADDITIVE)
          // int addition wraps, so it regroups exactly: a + (b + c) prints as a + b + c
          : Expr.infix(ix(a.a()), "+", ix(a.b()), ADDITIVE, "+", "-");
      case Ix.Mul mu -> Expr.infix(ix(mu.a()), "*", ix(mu.b()), MULTIPLICATIVE, "*");
      case Ix.Div d -> Expr.infix(ix(d.a()), "/", ix(d.b()), MULTIPLICATIVE);
      case Ix.Rem r -> Expr.infix(ix(r.a()), "%", ix(r.b()), MULTIPLICATIVE);
      case Ix.FromFloat f -> Expr.cast("int", fx(f.value()));
    };
  }

  Expr fx(Fx x) {
    return switch (x) {
      case Fx.Const c -> Expr.floatLiteral(c.value());
      case Fx.Load l -> load(l.space(), ix(l.index()));
      case Fx.Local l -> Expr.name(names.floatVar(l.name()));
      case Fx.Unary u -> unary(u.op(), fx(u.x()));
      // a + -c is a - c exactly (IEEE subtraction is addition of the negation), and reads better
      case Fx.Binary b when b.op() == BinaryOp.ADD && b.b() instanceof Fx.Const c && negative(c.value()) ->
          binary(BinaryOp.SUB, fx(b.a()), Expr.floatLiteral(-c.value()));
      case Fx.Binary b -> binary(b.op(), fx(b.a()), fx(b.b()));
      case Fx.Select s -> Expr.primary("($L ? $L : $L)", condition(s.cond()), fx(s.a()).code(), fx(s.b()).code());
      case Fx.FromInt i -> i.value() instanceof Ix.Const c
          ? Expr.floatLiteral(c.value())
          : Expr.cast("float", ix(i.value()));
      case Fx.Trunc t -> Expr.cast("float", Expr.cast("int", fx(t.x())));
    };
  }

  static Expr load(Space space, Expr index) {
    return Expr.primary("$L[$L]", array(space), index.code());
  }

  static String array(Space space) {
    return switch (space) {
      case P -> "p";
      case M -> "m";
    };
  }

  static Expr unary(UnaryOp op, Expr x) {
    return switch (op) {
      case NEG -> Expr.negate(x);
      case ABS -> Expr.primary("$T.abs($L)", Math.class, x.code());
      case SIGN -> Expr.primary("$T.signum($L)", Math.class, x.code());
      case SQRT -> math("sqrt", x);
      case EXP -> math("exp", x);
      case LOG -> math("log", x);
      case LOG1P -> math("log1p", x);
      case SIN -> math("sin", x);
      case COS -> math("cos", x);
      case TANH -> math("tanh", x);
      case RELU -> scalarOps("relu", x);
      case SIGMOID -> scalarOps("sigmoid", x);
      case SOFTPLUS -> scalarOps("softplus", x);
      case ERF -> scalarOps("erf", x);
      case HEAVISIDE -> scalarOps("heaviside", x);
    };
  }

  static Expr binary(BinaryOp op, Expr a, Expr b) {
    return switch (op) {
      // float arithmetic does not regroup: an operand of equal precedence on the right keeps its
      // parentheses. Long lines break between float operands, never inside an index.
      case ADD -> Expr.wrappingInfix(a, "+", b, ADDITIVE);
      case SUB -> Expr.wrappingInfix(a, "-", b, ADDITIVE);
      case MUL -> Expr.wrappingInfix(a, "*", b, MULTIPLICATIVE);
      case DIV -> Expr.wrappingInfix(a, "/", b, MULTIPLICATIVE);
      case POW -> Expr.cast("float", Expr.primary("$T.pow($L, $L)", Math.class, a.code(), b.code()));
      case MAX -> Expr.primary("$T.max($L, $L)", Math.class, a.code(), b.code());
      case MIN -> Expr.primary("$T.min($L, $L)", Math.class, a.code(), b.code());
      case LT, LE, GT, GE, EQ, NE -> compare(a, symbol(op), b);
    };
  }

  /** The Java operator of a comparison. */
  static String symbol(BinaryOp op) {
    return switch (op) {
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      case EQ -> "==";
      case NE -> "!=";
      case ADD, SUB, MUL, DIV, POW, MAX, MIN -> throw new IllegalArgumentException("not a comparison: " + op);
    };
  }

  /**
   * {@code cond != 0} as a Java condition: a comparison or a step as itself ({@code (a < b ? 1f :
   * 0f) != 0f} is {@code a < b}, {@code heaviside(x) != 0f} is {@code x > 0f}), else the test.
   */
  CodeBlock condition(Fx cond) {
    if (cond instanceof Fx.Binary b && b.op().isComparison()) {
      return CodeBlock.of("$L $L $L", fx(b.a()).code(), symbol(b.op()), fx(b.b()).code());
    }
    if (cond instanceof Fx.Unary u && u.op() == UnaryOp.HEAVISIDE) return CodeBlock.of("$L > 0f", fx(u.x()).code());
    return CodeBlock.of("$L != 0f", fx(cond).code());
  }

  static Expr select(Expr cond, Expr a, Expr b) {
    return Expr.primary("($L != 0f ? $L : $L)", cond.code(), a.code(), b.code());
  }

  private static Expr compare(Expr a, String op, Expr b) {
    // Additive and tighter operands need no parentheses around a relational operator.
    return Expr.primary("($L $L $L ? 1f : 0f)", a.code(), op, b.code());
  }

  private static Expr math(String fn, Expr x) {
    return Expr.cast("float", Expr.primary("$T.$L($L)", Math.class, fn, x.code()));
  }

  private static Expr scalarOps(String fn, Expr x) {
    return Expr.cast("float", Expr.primary("$T.$L($L)", ScalarOps.class, fn, x.code()));
  }

  private static boolean negative(float v) {
    return v < 0;
  }
}
