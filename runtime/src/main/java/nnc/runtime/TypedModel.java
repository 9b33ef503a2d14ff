package nnc.runtime;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The base class of the typed facade that {@code nnc compile} generates for each model, for
 * example {@code nnc.gen.MnistMlpModel} for {@code model MnistMlp}:
 *
 * <pre>{@code
 * try (MnistMlpModel m = MnistMlpModel.load(Path.of("mnist_mlp.jar"))) {
 *   float[][] probs = m.predict(pixels);      // pixels: float[batch][784]
 *   float loss = m.trainStep(pixels, labels); // labels: int[batch]
 * }
 * }</pre>
 *
 * <p>A facade takes and returns plain Java arrays: an input or output of dtype {@code f32} and
 * rank r is a {@code float} array with r brackets ({@code float} itself at rank 0), {@code i32}
 * is an {@code int} array, a {@code bool} output a {@code boolean} array. Shapes are taken from
 * the array lengths and checked by the model as for {@link NnModel#infer}. The protected helpers
 * here do the conversions; the generated subclass only names the inputs and outputs.
 */
public abstract class TypedModel implements AutoCloseable {
  private final NnModel model;

  /**
   * Wraps a loaded model.
   *
   * @param modelName the model this facade was generated for; a JAR of another model is refused
   */
  protected TypedModel(NnModel model, String modelName) {
    this.model = Objects.requireNonNull(model, "model");
    if (!model.manifest().model().equals(modelName)) {
      throw new IllegalArgumentException("this facade is for model " + modelName + ", the JAR holds model " + model.manifest().model());
    }
  }

  /** The underlying model: its manifest, learning rate, parameters, checkpoints and the map-based API. */
  public final NnModel model() {
    return model;
  }

  /** Writes parameters, optimizer state and hyper-parameters; see {@link NnModel#saveCheckpoint}. */
  public final void saveCheckpoint(Path file) throws IOException {
    model.saveCheckpoint(file);
  }

  @Override
  public void close() {
    model.close();
  }

  // ---- running the entry points ------------------------------------------------------------------

  /** Runs the infer entry on the named inputs and returns one of its outputs. */
  protected final Tensor infer(String output, String[] names, Tensor[] values) {
    Tensor t = model.infer(inputs(names, values)).get(output);
    if (t == null) throw new IllegalStateException("model " + model.manifest().model() + " has no output '" + output + "'");
    return t;
  }

  /** Runs one training step on the named inputs; returns the objective before the update. */
  protected final float train(String[] names, Tensor[] values) {
    return model.trainStep(inputs(names, values));
  }

  private static Map<String, Tensor> inputs(String[] names, Tensor[] values) {
    if (names.length != values.length) throw new IllegalArgumentException(names.length + " input names for " + values.length + " values");
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) in.put(names[i], values[i]);
    return in;
  }

  // ---- Java values to tensors --------------------------------------------------------------------

  /** A rank-0 f32 input. */
  protected static Tensor input(String name, float value) {
    return Tensor.of(new float[] {value});
  }

  /** A rank-0 i32 input. */
  protected static Tensor input(String name, int value) {
    return Tensor.of(new int[] {value});
  }

  protected static Tensor input(String name, float[] array) {
    return input(name, (Object) array);
  }

  protected static Tensor input(String name, float[][] array) {
    return input(name, (Object) array);
  }

  protected static Tensor input(String name, float[][][] array) {
    return input(name, (Object) array);
  }

  protected static Tensor input(String name, float[][][][] array) {
    return input(name, (Object) array);
  }

  protected static Tensor input(String name, int[] array) {
    return input(name, (Object) array);
  }

  protected static Tensor input(String name, int[][] array) {
    return input(name, (Object) array);
  }

  /**
   * A nested {@code float} or {@code int} array of any rank ≥ 1 as an f32 or i32 tensor (a copy),
   * its shape the array lengths. A ragged or null (sub)array is refused with a one-line
   * IllegalArgumentException naming the input.
   */
  protected static Tensor input(String name, Object array) {
    if (array == null) throw new IllegalArgumentException("input " + name + " is null");
    Class<?> leaf = array.getClass();
    int rank = 0;
    while (leaf.isArray()) {
      leaf = leaf.getComponentType();
      rank++;
    }
    if (rank == 0 || (leaf != float.class && leaf != int.class)) {
      throw new IllegalArgumentException("input " + name + ": expected a float or int array, got " + array.getClass().getSimpleName());
    }
    int[] shape = new int[rank];
    Object first = array;
    for (int d = 0; d < rank && first != null; d++) {
      shape[d] = Array.getLength(first);
      first = d < rank - 1 && shape[d] > 0 ? ((Object[]) first)[0] : null;
    }
    long n = Tensor.elementCount(shape);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("input " + name + " has shape " + Tensor.shapeString(shape) + ", more than " + Integer.MAX_VALUE + " elements");
    }
    Object flat = Array.newInstance(leaf, (int) n);
    copy(name, array, 0, shape, new int[rank], flat, 0);
    return leaf == float.class ? Tensor.of((float[]) flat, shape) : Tensor.of((int[]) flat, shape);
  }

  /** Copies {@code a} (at {@code depth}, position {@code index}) row-major into {@code flat} from {@code pos}. */
  private static int copy(String name, Object a, int depth, int[] shape, int[] index, Object flat, int pos) {
    if (a == null) throw new IllegalArgumentException("input " + name + " has a null array at " + path(name, index, depth));
    int length = Array.getLength(a);
    if (length != shape[depth]) {
      throw new IllegalArgumentException("input " + name + " is ragged: " + path(name, index, depth) + " has length " + length
          + ", " + path(name, new int[depth], depth) + " has " + shape[depth]);
    }
    if (depth == shape.length - 1) {
      System.arraycopy(a, 0, flat, pos, length);
      return pos + length;
    }
    Object[] rows = (Object[]) a;
    for (int i = 0; i < length; i++) {
      index[depth] = i;
      pos = copy(name, rows[i], depth + 1, shape, index, flat, pos);
    }
    return pos;
  }

  private static String path(String name, int[] index, int depth) {
    StringBuilder sb = new StringBuilder(name);
    for (int i = 0; i < depth; i++) sb.append('[').append(index[i]).append(']');
    return sb.toString();
  }

  // ---- tensors to Java values --------------------------------------------------------------------

  /** The value of a rank-0 f32 output. */
  protected static float toFloat(Tensor t) {
    return scalar(t, DType.F32).floats()[0];
  }

  /** The value of a rank-0 i32 output. */
  protected static int toInt(Tensor t) {
    return scalar(t, DType.I32).ints()[0];
  }

  /** The value of a rank-0 bool output. */
  protected static boolean toBoolean(Tensor t) {
    return scalar(t, DType.BOOL).bools()[0];
  }

  private static Tensor scalar(Tensor t, DType want) {
    if (t.rank() != 0 || t.dtype() != want) throw new IllegalStateException("expected a " + want.languageName() + "[] scalar, got " + t);
    return t;
  }

  /**
   * A tensor of rank ≥ 1 as a new nested Java array of that rank: f32 gives {@code float[]...},
   * i32 {@code int[]...}, bool {@code boolean[]...}, f64 {@code double[]...}. Cast the result to
   * the array type.
   */
  protected static Object toArray(Tensor t) {
    if (t.rank() == 0) throw new IllegalArgumentException("a rank-0 tensor is not an array: " + t);
    Object data = switch (t.dtype()) {
      case F32 -> t.floats();
      case F64 -> t.doubles();
      case I32 -> t.ints();
      case BOOL -> t.bools();
    };
    int[] shape = t.shape();
    Object out = Array.newInstance(data.getClass().getComponentType(), shape);
    fill(out, 0, shape, data, 0);
    return out;
  }

  private static int fill(Object out, int depth, int[] shape, Object data, int pos) {
    if (depth == shape.length - 1) {
      System.arraycopy(data, pos, out, 0, shape[depth]);
      return pos + shape[depth];
    }
    for (Object row : (Object[]) out) pos = fill(row, depth + 1, shape, data, pos);
    return pos;
  }
}
