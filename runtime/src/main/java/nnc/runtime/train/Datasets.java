package nnc.runtime.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.data.Csv;
import nnc.runtime.data.Idx;
import nnc.runtime.io.Npy;
import nnc.runtime.model.Manifest;

/**
 * Loads the splits of a {@link DataSpec} into {@link Dataset}s shaped for a model's inputs:
 * rows selected, values normalized, converted to the input's element type and reshaped to its
 * per-example shape (MNIST's {@code [N, 28, 28]} images become rows of 784 for {@code f32[B, 784]}).
 * Problems are one-line {@link IOException}s naming the split, the input and the file.
 */
public final class Datasets {
  private Datasets() {}

  /** What one example of an input looks like: its element type and its shape without the batch axis. */
  public record InputType(DType dtype, int[] rowShape) {
    int rowSize() {
      int n = 1;
      for (int d : rowShape) n *= d;
      return n;
    }
  }

  /** Per-feature statistics of standardized inputs, computed on the training split and reused for the others. */
  public static final class Stats {
    final Map<String, double[][]> byInput = new LinkedHashMap<>();
  }

  /** The input types of a model's entry point ("train" by default: every input the objective needs). */
  public static Map<String, InputType> inputTypes(NnModel model, String entry) {
    Manifest.Entry e = model.manifest().entry(entry);
    if (e == null) throw new IllegalArgumentException("model " + model.manifest().model() + " has no " + entry + " entry point");
    Map<String, InputType> out = new LinkedHashMap<>();
    for (Manifest.Port p : e.inputs()) {
      if (p.isNoise()) continue;
      List<Object> shape = p.shape();
      if (shape.isEmpty() || !(shape.get(0) instanceof String)) {
        throw new IllegalArgumentException("input " + p.name() + ": its first axis must be the symbolic batch dimension to train on data");
      }
      int[] row = new int[shape.size() - 1];
      for (int k = 1; k < shape.size(); k++) {
        if (!(shape.get(k) instanceof Integer f)) throw new IllegalArgumentException("input " + p.name() + ": only the first axis may be symbolic to train on data");
        row[k - 1] = f;
      }
      out.put(p.name(), new InputType(DType.parse(p.dtype()), row));
    }
    return out;
  }

  /**
   * Loads one split for the given inputs. Standardized sources compute their statistics into
   * {@code stats} if it has none for that input yet (load the training split first), else use them.
   */
  public static Dataset load(DataSpec.Split split, Map<String, InputType> types, Stats stats) throws IOException {
    Map<String, Dataset.Column> cols = new LinkedHashMap<>();
    int size = -1;
    String first = null;
    for (Map.Entry<String, InputType> t : types.entrySet()) {
      DataSpec.Source src = split.inputs().get(t.getKey());
      if (src == null) throw new IOException("data " + split.name() + ": no source for input '" + t.getKey() + "' (declared: " + String.join(", ", split.inputs().keySet()) + ")");
      String where = "data " + split.name() + "." + t.getKey() + " (" + src.describe() + ")";
      Raw raw = read(src, where);
      InputType type = t.getValue();
      if (raw.rowSize != type.rowSize()) {
        throw new IOException(where + ": " + raw.rowSize + " values per example, input " + t.getKey() + " takes " + type.rowSize()
            + " (" + Tensor.shapeString(type.rowShape()) + ")");
      }
      if (size >= 0 && raw.rows != size) {
        throw new IOException(where + ": " + raw.rows + " examples, but " + first + " has " + size);
      }
      size = raw.rows;
      first = t.getKey();
      normalize(raw, src.norm(), t.getKey(), stats);
      cols.put(t.getKey(), column(raw, type, where));
    }
    return new Dataset(Math.max(size, 0), cols);
  }

  /** Values as doubles, {@code rows × rowSize}. */
  private record Raw(double[] values, int rows, int rowSize) {}

  private static Raw read(DataSpec.Source src, String where) throws IOException {
    Raw raw = switch (src.format()) {
      case INLINE -> fromShape(src.inline(), src.inlineShape());
      case IDX -> fromTensor(Idx.read(src.file()));
      case NPY -> fromTensor(Npy.read(src.file()));
      case CSV -> csv(src, where);
      case TEXT -> {
        DataSpec.Windows w = src.windows();
        int[][] windows = nnc.runtime.data.Text.windows(src.file(), w.context(), w.shift(), w.stride());
        double[] v = new double[windows.length * w.context()];
        for (int i = 0; i < windows.length; i++) {
          for (int k = 0; k < w.context(); k++) v[i * w.context() + k] = windows[i][k];
        }
        yield new Raw(v, windows.length, w.context());
      }
    };
    if (src.rows() != null) {
      int a = src.rows()[0], b = src.rows()[1];
      if (b >= raw.rows) throw new IOException(where + ": rows = [" + a + ", " + b + "], but it has only " + raw.rows + " rows");
      raw = new Raw(java.util.Arrays.copyOfRange(raw.values, a * raw.rowSize, (b + 1) * raw.rowSize), b - a + 1, raw.rowSize);
    }
    if (raw.rows == 0) throw new IOException(where + ": no examples");
    return raw;
  }

  private static Raw fromTensor(Tensor t) {
    return fromShape(t.toDoubles(), t.shape());
  }

  private static Raw fromShape(double[] v, int[] shape) {
    int rows = shape.length == 0 ? 1 : shape[0];
    return new Raw(v, rows, rows == 0 ? 0 : v.length / rows);
  }

  private static Raw csv(DataSpec.Source src, String where) throws IOException {
    double[][] table = Csv.read(src.file(), src.header());
    int width = table[0].length;
    int lo = 0, hi = width - 1;
    if (src.column() >= 0) lo = hi = src.column();
    else if (src.columns() != null) {
      lo = src.columns()[0];
      hi = src.columns()[1];
    }
    if (hi >= width) throw new IOException(where + ": column " + hi + " does not exist (the file has columns 0.." + (width - 1) + ")");
    int r = hi - lo + 1;
    double[] v = new double[table.length * r];
    for (int i = 0; i < table.length; i++) System.arraycopy(table[i], lo, v, i * r, r);
    return new Raw(v, table.length, r);
  }

  private static void normalize(Raw raw, DataSpec.Norm norm, String input, Stats stats) {
    double[] v = raw.values;
    if (norm.standardize()) {
      double[][] ms = stats == null ? null : stats.byInput.get(input);
      if (ms == null) {
        ms = standardStats(raw);
        if (stats != null) stats.byInput.put(input, ms);
      }
      for (int i = 0; i < v.length; i++) {
        int f = i % raw.rowSize;
        v[i] = (v[i] * norm.scale() - ms[0][f]) / ms[1][f];
      }
    } else if (!norm.equals(DataSpec.Norm.IDENTITY)) {
      for (int i = 0; i < v.length; i++) v[i] = norm.apply(v[i]);
    }
  }

  /** Per-feature mean and (population) standard deviation after scaling; a constant feature gets std 1. */
  private static double[][] standardStats(Raw raw) {
    int f = raw.rowSize;
    double[] mean = new double[f], std = new double[f];
    for (int i = 0; i < raw.values.length; i++) mean[i % f] += raw.values[i];
    for (int k = 0; k < f; k++) mean[k] /= raw.rows;
    for (int i = 0; i < raw.values.length; i++) {
      double d = raw.values[i] - mean[i % f];
      std[i % f] += d * d;
    }
    for (int k = 0; k < f; k++) {
      std[k] = Math.sqrt(std[k] / raw.rows);
      if (std[k] == 0) std[k] = 1;
    }
    return new double[][] {mean, std};
  }

  private static Dataset.Column column(Raw raw, InputType type, String where) throws IOException {
    double[] v = raw.values;
    switch (type.dtype()) {
      case I32 -> {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > 1 << 24) {
            throw new IOException(where + ": value " + v[i] + " at example " + i / raw.rowSize + " is not an integer label");
          }
          out[i] = (int) v[i];
        }
        return new Dataset.Column(DType.I32, type.rowShape(), null, out);
      }
      case F32 -> {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return new Dataset.Column(DType.F32, type.rowShape(), out, null);
      }
      default -> throw new IOException(where + ": compiled models train on f32 and i32 inputs, not " + type.dtype().languageName());
    }
  }
}
