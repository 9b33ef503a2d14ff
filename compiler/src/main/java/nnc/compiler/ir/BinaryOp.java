package nnc.compiler.ir;

import java.util.function.DoubleBinaryOperator;

/** Elementwise functions of two broadcast arguments, with their scalar meaning. */
public enum BinaryOp {
  ADD("add", "+", (a, b) -> a + b),
  SUB("sub", "-", (a, b) -> a - b),
  MUL("mul", "*", (a, b) -> a * b),
  DIV("div", "/", (a, b) -> a / b),
  POW("pow", "^", Math::pow),
  /** Ties go to the first operand (its gradient mask is a >= b). */
  MAX("max", null, Math::max),
  MIN("min", null, Math::min),
  LT("lt", "<", (a, b) -> a < b ? 1 : 0),
  LE("le", "<=", (a, b) -> a <= b ? 1 : 0),
  GT("gt", ">", (a, b) -> a > b ? 1 : 0),
  GE("ge", ">=", (a, b) -> a >= b ? 1 : 0),
  EQ("eq", "==", (a, b) -> a == b ? 1 : 0),
  NE("ne", "!=", (a, b) -> a != b ? 1 : 0);

  private final String printName;
  private final String symbol;
  private final DoubleBinaryOperator fn;

  BinaryOp(String printName, String symbol, DoubleBinaryOperator fn) {
    this.printName = printName;
    this.symbol = symbol;
    this.fn = fn;
  }

  public double apply(double a, double b) {
    return fn.applyAsDouble(a, b);
  }

  public String printName() {
    return printName;
  }

  /** The infix operator of the language, or the function name for max/min. */
  public String symbol() {
    return symbol != null ? symbol : printName;
  }

  /** Comparisons produce bool and have no gradient. */
  public boolean isComparison() {
    return ordinal() >= LT.ordinal();
  }
}
