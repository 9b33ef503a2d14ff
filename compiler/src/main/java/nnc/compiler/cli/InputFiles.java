package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.TensorType;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import nnc.runtime.data.Idx;
import nnc.runtime.io.Npy;

/**
 * Reads a value for a model input from a file, by extension: {@code .npy} as it is; IDX files
 * (MNIST's {@code *-idx3-ubyte[.gz]}) and CSV, converted to the declared input. The conversion
 * is the one every MNIST tutorial does: pixels 0..255 become floats in [0, 1], and each record is
 * flattened to the declared rank ([N,28,28] to [N,784]). {@code limit} keeps the first records.
 */
final class InputFiles {
  private InputFiles() {}

  static NDArray read(String name, Path file, TensorType declared, int limit) throws IOException {
    String f = file.getFileName().toString();
    boolean idx = f.contains("idx") || f.contains("ubyte");
    Tensor t;
    if (f.endsWith(".npy")) t = Npy.read(file);
    else if (idx) t = Idx.read(file);
    else if (f.endsWith(".csv") || f.endsWith(".csv.gz")) t = nnc.runtime.data.Csv.readTensor(file, 0);
    else throw new UserError("--in " + name + ": " + file + ": unknown file type (use .npy, an IDX file or .csv)");
    NDArray v = NDArray.fromTensor(t);
    if (limit > 0 && v.rank() > 0 && v.shape()[0] > limit) v = firstRecords(v, limit);
    if (idx && declared.isFloat() && v.dtype() == DType.I32) v = scale(v, 1 / 255.0, declared.dtype());
    else if (!f.endsWith(".npy") && v.dtype() != declared.dtype()) v = convert(v, declared.dtype());
    return reshapeRecords(name, v, declared);
  }

  private static NDArray firstRecords(NDArray v, int n) {
    int[] shape = v.shape().clone();
    int per = v.size() / shape[0];
    shape[0] = n;
    return new NDArray(v.dtype(), shape, Arrays.copyOf(v.data(), n * per));
  }

  private static NDArray scale(NDArray v, double s, DType to) {
    double[] d = v.data().clone();
    for (int i = 0; i < d.length; i++) d[i] = NDArray.round(to, d[i] * s);
    return new NDArray(to, v.shape(), d);
  }

  private static NDArray convert(NDArray v, DType to) {
    double[] d = v.data().clone();
    for (int i = 0; i < d.length; i++) d[i] = NDArray.round(to, d[i]);
    return new NDArray(to, v.shape(), d);
  }

  /** Flattens or splits each record to the declared trailing shape when the element counts agree. */
  private static NDArray reshapeRecords(String name, NDArray v, TensorType declared) {
    if (declared.rank() == v.rank() || declared.rank() == 0 || v.rank() == 0) return v;
    int records = v.shape()[0];
    int per = v.size() / Math.max(1, records);
    int[] shape = new int[declared.rank()];
    shape[0] = records;
    int fixed = 1;
    for (int i = 1; i < shape.length; i++) {
      Dim d = declared.shape().get(i);
      if (!(d instanceof Dim.Fixed fd)) return v;
      shape[i] = fd.size();
      fixed *= fd.size();
    }
    if (fixed != per) {
      throw new UserError("--in " + name + ": records of " + per + " values do not fit the declared " + declared);
    }
    return new NDArray(v.dtype(), shape, v.data());
  }
}
