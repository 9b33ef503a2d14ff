package nnc.compiler.ir;

import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise functions of one argument. Each carries its scalar meaning, which the interpreter
 * and constant folding share, so the two can never disagree.
 */
public enum UnaryOp {
  NEG("neg", x -> -x),
  EXP("exp", Math::exp),
  LOG("log", Math::log),
  LOG1P("log1p", Math::log1p),
  SQRT("sqrt", Math::sqrt),
  ABS("abs", Math::abs),
  /** sign(0) = 0, as in PyTorch. */
  SIGN("sign", Math::signum),
  SIN("sin", Math::sin),
  COS("cos", Math::cos),
  /** ReLU'(0) = 0 (see {@link #HEAVISIDE}). */
  RELU("relu", x -> x > 0 ? x : (x <= 0 ? 0.0 : x)),
  SIGMOID("sigmoid", UnaryOp::sigmoid),
  TANH("tanh", Math::tanh),
  /** log(1 + e^x) computed without overflow: max(x, 0) + log1p(e^-|x|). */
  SOFTPLUS("softplus", x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))),
  ERF("erf", Erf::erf),
  /** The unit step with heaviside(0) = 0; also the derivative of relu. Has no gradient. */
  HEAVISIDE("heaviside", x -> x > 0 ? 1.0 : 0.0);

  private final String printName;
  private final DoubleUnaryOperator fn;

  UnaryOp(String printName, DoubleUnaryOperator fn) {
    this.printName = printName;
    this.fn = fn;
  }

  public double apply(double x) {
    return fn.applyAsDouble(x);
  }

  public String printName() {
    return printName;
  }

  /** Whether the op is piecewise constant, so that its gradient is zero everywhere it exists. */
  public boolean isStep() {
    return this == SIGN || this == HEAVISIDE;
  }

  private static double sigmoid(double x) {
    // Two branches keep exp's argument non-positive, so neither overflows.
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    double e = Math.exp(x);
    return e / (1 + e);
  }
}
