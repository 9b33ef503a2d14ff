package nnc.compiler.backend.java;

import com.palantir.javapoet.CodeBlock;
import java.util.List;

/**
 * A Java expression as JavaPoet code together with its precedence, so that operands get
 * parentheses only where Java needs them. {@code op} names the top-level binary operator ("+",
 * "*", ...) or is empty; it decides where an operand of equal precedence may drop its parentheses.
 */
record Expr(CodeBlock code, int prec, String op) {
  static final int ADDITIVE = 1;
  static final int MULTIPLICATIVE = 2;
  /** Prefix minus and casts. */
  static final int UNARY = 3;
  /** Names, literals, array reads, method calls, and anything already in parentheses. */
  static final int PRIMARY = 4;

  static Expr primary(String format, Object... args) {
    return new Expr(CodeBlock.of(format, args), PRIMARY, "");
  }

  static Expr unary(String format, Object... args) {
    return new Expr(CodeBlock.of(format, args), UNARY, "");
  }

  static Expr name(String name) {
    return primary("$L", name);
  }

  static Expr intLiteral(int v) {
    return v < 0 ? unary("$L", v) : primary("$L", v);
  }

  /** A Java float literal that reads back as exactly {@code v}: {@code 0.5f}, {@code 1f}, {@code Float.NaN}. */
  static Expr floatLiteral(float v) {
    if (Float.isNaN(v)) return primary("$T.NaN", Float.class);
    if (v == Float.POSITIVE_INFINITY) return primary("$T.POSITIVE_INFINITY", Float.class);
    if (v == Float.NEGATIVE_INFINITY) return primary("$T.NEGATIVE_INFINITY", Float.class);
    String s = Float.toString(v);
    if (s.endsWith(".0")) s = s.substring(0, s.length() - 2);
    return s.startsWith("-") ? unary("$Lf", s) : primary("$Lf", s);
  }

  /** {@code (type) x}; a cast binds like a prefix operator. */
  static Expr cast(String type, Expr x) {
    return unary("($L) $L", type, x.operand(UNARY));
  }

  /** {@code -x}, keeping {@code - -x} from becoming the decrement operator. */
  static Expr negate(Expr x) {
    boolean minus = x.code.toString().startsWith("-");
    return unary("-$L", minus ? x.parenthesized() : x.operand(UNARY));
  }

  /**
   * {@code a op b}, left-associative at precedence {@code prec}. The right operand keeps its
   * parentheses at equal precedence unless {@code regroups} lists its operator: int addition and
   * multiplication wrap around and so regroup exactly; float arithmetic never does.
   */
  static Expr infix(Expr a, String op, Expr b, int prec, String... regroups) {
    boolean free = b.prec > prec || b.prec == prec && List.of(regroups).contains(b.op);
    CodeBlock right = free ? b.code : b.parenthesized();
    return new Expr(CodeBlock.of("$L $L $L", a.operand(prec), op, right), prec, op);
  }

  /** {@link #infix} where a line that grows too long may break after the operator. */
  static Expr wrappingInfix(Expr a, String op, Expr b, int prec) {
    CodeBlock right = b.prec > prec ? b.code : b.parenthesized();
    return new Expr(CodeBlock.of("$L $L$W$L", a.operand(prec), op, right), prec, op);
  }

  /** This expression as an operand of an operator of precedence {@code prec} (left side). */
  CodeBlock operand(int prec) {
    return this.prec >= prec ? code : parenthesized();
  }

  CodeBlock parenthesized() {
    return CodeBlock.of("($L)", code);
  }

  /** Whether the expression is a name or a literal, cheap and short to repeat. */
  boolean isSimple() {
    String s = code.toString();
    return prec == PRIMARY && s.chars().allMatch(c -> Character.isJavaIdentifierPart(c) || c == '.');
  }

  @Override
  public String toString() {
    return code.toString();
  }
}
