package nnc.compiler.ir;

/** Reductions along axes; mean and var are built from sum (see the front end's builtins). */
public enum ReduceOp {
  SUM("sum", 0.0),
  MAX("max", Double.NEGATIVE_INFINITY),
  MIN("min", Double.POSITIVE_INFINITY);

  private final String printName;
  private final double identity;

  ReduceOp(String printName, double identity) {
    this.printName = printName;
    this.identity = identity;
  }

  public String printName() {
    return printName;
  }

  /** The starting value of the accumulator. */
  public double identity() {
    return identity;
  }

  public double combine(double acc, double x) {
    return switch (this) {
      case SUM -> acc + x;
      // NaN propagates, as in NumPy and PyTorch.
      case MAX -> Double.isNaN(acc) ? acc : (x > acc || Double.isNaN(x) ? x : acc);
      case MIN -> Double.isNaN(acc) ? acc : (x < acc || Double.isNaN(x) ? x : acc);
    };
  }
}
