package nnc.runtime.init;

/** Checking and printing the numeric arguments of initializers. */
final class Numbers {
  private Numbers() {
  }

  /**
   * A number as a {@code .nn} file would write it: integers without a fraction ({@code 0},
   * {@code 2}), others in Java's shortest round-trip form with a lowercase exponent
   * ({@code 0.1}, {@code 1e-5}).
   */
  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    return (mantissa.endsWith(".0") ? mantissa.substring(0, mantissa.length() - 2) : mantissa)
        + "e" + s.substring(e + 1);
  }

  /** {@code name}, or {@code name(gain=g)} when the gain differs from the default. */
  static String withGain(String name, double gain, double defaultGain) {
    return gain == defaultGain ? name : name + "(gain=" + format(gain) + ")";
  }

  static void requireNonNegative(String what, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }
  }
}
