package nnc.runtime.init;

import java.util.Arrays;
import nnc.runtime.Tensor;

/**
 * The fan-in and fan-out of a parameter shape, by the convention documented on
 * {@link Initializer}: {@code [n]} → (n, n); {@code [in, out]} → (in, out); a kernel
 * {@code [out, in, k...]} → (in·∏k, out·∏k).
 */
public record Fans(long in, long out) {
  /**
   * The fans of {@code shape}.
   *
   * @throws IllegalArgumentException for a scalar shape, which has no fans
   */
  public static Fans of(int[] shape) {
    return switch (shape.length) {
      case 0 -> throw new IllegalArgumentException(
          "fan_in and fan_out are undefined for the scalar shape []; use a shape of rank >= 1");
      case 1 -> new Fans(shape[0], shape[0]);
      case 2 -> new Fans(shape[0], shape[1]);
      default -> {
        long receptive = Tensor.elementCount(Arrays.copyOfRange(shape, 2, shape.length));
        yield new Fans(shape[1] * receptive, shape[0] * receptive);
      }
    };
  }
}
