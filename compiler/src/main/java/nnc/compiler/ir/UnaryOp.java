package nnc.compiler.ir;

import java.util.function.DoubleUnaryOperator;
import nnc.runtime.ScalarOps;

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
  RELU("relu", ScalarOps::relu),
  SIGMOID("sigmoid", ScalarOps::sigmoid),
  TANH("tanh", Math::tanh),
  /** log(1 + e^x) computed without overflow: max(x, 0) + log1p(e^-|x|). */
  SOFTPLUS("softplus", ScalarOps::softplus),
  ERF("erf", ScalarOps::erf),
  /** The unit step with heaviside(0) = 0; also the derivative of relu. Has no gradient. */
  HEAVISIDE("heaviside", ScalarOps::heaviside);

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
}
