package nnc.runtime.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.Tensor;

/**
 * Examples in memory, one column per model input, all with the same number of rows. Values are
 * already normalized and converted to the input's element type; {@link #batch} copies rows out
 * as tensors of shape {@code [rows, ...rowShape]}.
 */
public final class Dataset {
  /** One input's values: {@code size × rowSize} floats or ints, row-major. */
  public record Column(DType dtype, int[] rowShape, float[] floats, int[] ints) {
    public int rowSize() {
      int n = 1;
      for (int d : rowShape) n *= d;
      return n;
    }
  }

  private final int size;
  private final Map<String, Column> columns;

  public Dataset(int size, Map<String, Column> columns) {
    this.size = size;
    this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  public int size() {
    return size;
  }

  public Map<String, Column> columns() {
    return columns;
  }

  /** The rows {@code order[from..to)} as one batch, by input name. */
  public Map<String, Tensor> batch(int[] order, int from, int to) {
    int n = to - from;
    Map<String, Tensor> out = new LinkedHashMap<>();
    columns.forEach((name, c) -> {
      int r = c.rowSize();
      int[] shape = new int[c.rowShape().length + 1];
      shape[0] = n;
      System.arraycopy(c.rowShape(), 0, shape, 1, c.rowShape().length);
      if (c.dtype() == DType.I32) {
        int[] v = new int[n * r];
        for (int k = 0; k < n; k++) System.arraycopy(c.ints(), order[from + k] * r, v, k * r, r);
        out.put(name, Tensor.of(v, shape));
      } else {
        float[] v = new float[n * r];
        for (int k = 0; k < n; k++) System.arraycopy(c.floats(), order[from + k] * r, v, k * r, r);
        out.put(name, Tensor.of(v, shape));
      }
    });
    return out;
  }

  /** The given rows as a new dataset (for train/validation splits). */
  public Dataset select(int[] rows) {
    Map<String, Column> out = new LinkedHashMap<>();
    columns.forEach((name, c) -> {
      int r = c.rowSize();
      if (c.dtype() == DType.I32) {
        int[] v = new int[rows.length * r];
        for (int k = 0; k < rows.length; k++) System.arraycopy(c.ints(), rows[k] * r, v, k * r, r);
        out.put(name, new Column(c.dtype(), c.rowShape(), null, v));
      } else {
        float[] v = new float[rows.length * r];
        for (int k = 0; k < rows.length; k++) System.arraycopy(c.floats(), rows[k] * r, v, k * r, r);
        out.put(name, new Column(c.dtype(), c.rowShape(), v, null));
      }
    });
    return new Dataset(rows.length, out);
  }

  /** 0, 1, ..., size − 1. */
  public int[] identityOrder() {
    int[] o = new int[size];
    for (int i = 0; i < size; i++) o[i] = i;
    return o;
  }
}
