package nnc.compiler.interp;

import java.util.Arrays;
import nnc.runtime.DType;
import nnc.runtime.Tensor;

/**
 * The interpreter's value: a dense row-major array of doubles tagged with the element type it
 * stands for. f32 results are rounded to float after every op, so the interpreter computes what
 * f32 code would (up to accumulation order); i32 and bool values are exact in a double.
 */
public record NDArray(DType dtype, int[] shape, double[] data) {
  public NDArray {
    if (data.length != size(shape)) {
      throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
    }
  }

  public static int size(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
    return (int) n;
  }

  public int size() {
    return data.length;
  }

  public int rank() {
    return shape.length;
  }

  /** Row-major strides in elements. */
  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Rounds values to the precision of the element type. */
  public static double round(DType dtype, double v) {
    return switch (dtype) {
      case F32 -> (float) v;
      case I32 -> (int) v;
      case BOOL -> v != 0 ? 1 : 0;
      case F64 -> v;
    };
  }

  public static NDArray fromTensor(Tensor t) {
    return new NDArray(t.dtype(), t.shape(), t.toDoubles());
  }

  public Tensor toTensor() {
    return Tensor.fromDoubles(dtype, shape, data);
  }

  public double scalar() {
    if (data.length != 1) throw new IllegalStateException("not a scalar: " + Arrays.toString(shape));
    return data[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NDArray a && dtype == a.dtype && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return dtype.languageName() + Arrays.toString(shape) + " " + Arrays.toString(Arrays.copyOf(data, Math.min(8, data.length)));
  }
}
