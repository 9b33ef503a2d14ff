package nnc.runtime;

import java.util.Arrays;

/**
 * A dense, row-major tensor: a dtype, a shape and one primitive array holding the elements.
 *
 * <p>The shape is fixed and defensively copied; the backing array is shared, not copied, so that
 * compiled kernels and file readers can fill or read it without an extra pass over the data.
 * F32 is backed by {@code float[]}, F64 by {@code double[]}, I32 by {@code int[]} and BOOL by
 * {@code boolean[]}. Element counts are limited to {@link Integer#MAX_VALUE}, the limit of a
 * Java array.
 */
public final class Tensor {
  private static final int PRINTED_VALUES = 8;

  private final DType dtype;
  private final int[] shape;
  private final Object data;
  private final int size;

  private Tensor(DType dtype, int[] shape, Object data, int dataLength) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.size = checkedSize(this.shape);
    if (dataLength != size) {
      throw new IllegalArgumentException("shape " + shapeString(shape) + " has " + size
          + " elements but the data has " + dataLength);
    }
    this.data = data;
  }

  /** An F32 tensor backed by {@code data} (not copied). */
  public static Tensor of(float[] data, int... shape) {
    return new Tensor(DType.F32, shape, data, data.length);
  }

  /** An F64 tensor backed by {@code data} (not copied). */
  public static Tensor of(double[] data, int... shape) {
    return new Tensor(DType.F64, shape, data, data.length);
  }

  /** An I32 tensor backed by {@code data} (not copied). */
  public static Tensor of(int[] data, int... shape) {
    return new Tensor(DType.I32, shape, data, data.length);
  }

  /** A BOOL tensor backed by {@code data} (not copied). */
  public static Tensor ofBool(boolean[] data, int... shape) {
    return new Tensor(DType.BOOL, shape, data, data.length);
  }

  /** A new tensor of the given type and shape, all elements zero (or false). */
  public static Tensor zeros(DType dtype, int... shape) {
    int n = checkedSize(shape);
    return switch (dtype) {
      case F32 -> of(new float[n], shape);
      case F64 -> of(new double[n], shape);
      case I32 -> of(new int[n], shape);
      case BOOL -> ofBool(new boolean[n], shape);
    };
  }

  /**
   * Converts doubles to a tensor of any type, the way Java casts do: F32 rounds to the nearest
   * float, I32 truncates toward zero ({@code (int)} cast), BOOL is {@code value != 0}. Used by
   * initializers and the reference interpreter, which compute in double.
   */
  public static Tensor fromDoubles(DType dtype, int[] shape, double[] values) {
    Tensor t = zeros(dtype, shape);
    if (values.length != t.size) {
      throw new IllegalArgumentException("shape " + shapeString(shape) + " has " + t.size
          + " elements but " + values.length + " values were given");
    }
    switch (t.data) {
      case float[] f -> {
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) values[i];
        }
      }
      case double[] d -> System.arraycopy(values, 0, d, 0, d.length);
      case int[] n -> {
        for (int i = 0; i < n.length; i++) {
          n[i] = (int) values[i];
        }
      }
      case boolean[] b -> {
        for (int i = 0; i < b.length; i++) {
          b[i] = values[i] != 0;
        }
      }
      default -> throw new AssertionError(t.data.getClass());
    }
    return t;
  }

  /**
   * The number of elements of a shape, as a long that saturates at {@link Long#MAX_VALUE}, so
   * that readers of untrusted files can report an oversized shape instead of overflowing.
   *
   * @throws IllegalArgumentException if a dimension is negative
   */
  public static long elementCount(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
      }
    }
    for (int d : shape) {
      n = d != 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
    }
    return n;
  }

  private static int checkedSize(int[] shape) {
    long n = elementCount(shape);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + shapeString(shape)
          + " has more than " + Integer.MAX_VALUE + " elements");
    }
    return (int) n;
  }

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** The extent of dimension {@code axis}. */
  public int dim(int axis) {
    return shape[axis];
  }

  /** The number of elements. */
  public int size() {
    return size;
  }

  /** The backing array of an F32 tensor. */
  public float[] floats() {
    return backing(DType.F32, float[].class);
  }

  /** The backing array of an F64 tensor. */
  public double[] doubles() {
    return backing(DType.F64, double[].class);
  }

  /** The backing array of an I32 tensor. */
  public int[] ints() {
    return backing(DType.I32, int[].class);
  }

  /** The backing array of a BOOL tensor. */
  public boolean[] bools() {
    return backing(DType.BOOL, boolean[].class);
  }

  private <A> A backing(DType wanted, Class<A> arrayType) {
    if (dtype != wanted) {
      throw new IllegalStateException("tensor is " + describe() + ", not "
          + wanted.languageName() + " (asked for its " + arrayType.getSimpleName() + ")");
    }
    return arrayType.cast(data);
  }

  /** The element at a row-major flat index, widened to double (BOOL gives 0 or 1). */
  public double getDouble(int flatIndex) {
    return switch (data) {
      case float[] f -> f[flatIndex];
      case double[] d -> d[flatIndex];
      case int[] n -> n[flatIndex];
      case boolean[] b -> b[flatIndex] ? 1 : 0;
      default -> throw new AssertionError(data.getClass());
    };
  }

  /** All elements, widened to double, in a new array. */
  public double[] toDoubles() {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = getDouble(i);
    }
    return out;
  }

  /**
   * The same elements viewed with another shape of equal size. The backing array is shared,
   * which is what makes a reshape free.
   */
  public Tensor reshape(int... newShape) {
    return new Tensor(dtype, newShape, data, size);
  }

  /** Renders a shape as {@code [2,3]}; a scalar is {@code []}. */
  public static String shapeString(int[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ",").append(shape[i]);
    }
    return sb.append(']').toString();
  }

  private String describe() {
    return dtype.languageName() + shapeString(shape);
  }

  /** Type, shape and the first few values, e.g. {@code f32[2,3] [0.0, 1.0, 2.0, ...]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(describe()).append(" [");
    int shown = Math.min(size, PRINTED_VALUES);
    for (int i = 0; i < shown; i++) {
      sb.append(i == 0 ? "" : ", ").append(valueString(i));
    }
    return sb.append(size > shown ? ", ...]" : "]").toString();
  }

  private String valueString(int i) {
    return switch (data) {
      case float[] f -> Float.toString(f[i]);
      case double[] d -> Double.toString(d[i]);
      case int[] n -> Integer.toString(n[i]);
      case boolean[] b -> Boolean.toString(b[i]);
      default -> throw new AssertionError(data.getClass());
    };
  }

  /** True if {@code other} has the same dtype, shape and elements (floats compared bitwise). */
  public boolean contentEquals(Tensor other) {
    if (dtype != other.dtype || !Arrays.equals(shape, other.shape)) {
      return false;
    }
    return switch (data) {
      case float[] f -> Arrays.equals(f, (float[]) other.data);
      case double[] d -> Arrays.equals(d, (double[]) other.data);
      case int[] n -> Arrays.equals(n, (int[]) other.data);
      case boolean[] b -> Arrays.equals(b, (boolean[]) other.data);
      default -> throw new AssertionError(data.getClass());
    };
  }
}
