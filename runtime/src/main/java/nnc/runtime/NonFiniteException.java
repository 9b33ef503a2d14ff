package nnc.runtime;

/**
 * Thrown by a model running with its NaN/Inf guard on ({@link NnModel#setNanGuard}) when a
 * kernel writes a NaN or an infinity: the message is one line naming the IR node and its
 * {@code .nn} line, e.g. {@code non-finite value (NaN) at element 17 of %34 : f32[B,500] = mul %32
 * %33 (from mnist_mlp.nn:13 relu)}. A non-finite input or parameter is named as such, before any
 * kernel runs.
 */
public final class NonFiniteException extends ArithmeticException {
  private final String kernel;
  private final String describe;
  private final String value;
  private final long element;

  /**
   * @param kernel the kernel method that wrote the value, or null for an input or parameter
   * @param describe what it computes (the kernel's description), or {@code input NAME} / {@code parameter NAME}
   * @param value {@code NaN}, {@code Infinity} or {@code -Infinity}
   * @param element the element's flat index in the tensor it belongs to
   */
  public NonFiniteException(String kernel, String describe, String value, long element) {
    super("non-finite value (" + value + ") at element " + element + " of " + describe.replaceAll("\\s+", " "));
    this.kernel = kernel;
    this.describe = describe;
    this.value = value;
    this.element = element;
  }

  /** The kernel method (in the generated class) that produced the value; null for an input or parameter. */
  public String kernel() {
    return kernel;
  }

  /** The kernel's description: its IR node, the {@code .nn} span and, for backward code, the gradient rule. */
  public String describe() {
    return describe;
  }

  /** {@code NaN}, {@code Infinity} or {@code -Infinity}. */
  public String value() {
    return value;
  }

  public long element() {
    return element;
  }
}
