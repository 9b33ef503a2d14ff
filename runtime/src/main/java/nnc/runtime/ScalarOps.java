package nnc.runtime;

/**
 * The scalar functions that neither {@link Math} nor the operators provide, in double precision.
 * They are the one definition shared by the compiler's reference interpreter and the code it
 * generates (which calls them for elements that are not vectorized), so the two cannot disagree.
 */
public final class ScalarOps {
  private ScalarOps() {}

  /** max(x, 0) with relu(NaN) = NaN. */
  public static double relu(double x) {
    return x > 0 || Double.isNaN(x) ? x : 0.0;
  }

  /** 1 / (1 + e^-x), in two branches so that exp never overflows. */
  public static double sigmoid(double x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x. */
  public static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** The unit step with heaviside(0) = 0. */
  public static double heaviside(double x) {
    return x > 0 ? 1.0 : 0.0;
  }

  /**
   * erf(x): the Maclaurin series for |x| < 2.5 and the continued fraction of erfc beyond, both
   * converging to full double precision in their ranges (the JDK has no erf).
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax, sum = ax, x2 = ax * ax;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else if (ax > 6.5) {
      r = 1.0;
    } else {
      // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
      double f = ax;
      for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -r : r;
  }
}
