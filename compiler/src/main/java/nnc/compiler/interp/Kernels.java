package nnc.compiler.interp;

import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.ReduceOp;
import nnc.runtime.DType;

/**
 * Reference implementations of the primitives over {@link NDArray}: straightforward loops over
 * multi-indices, written for clarity (they define the ops), not speed.
 */
final class Kernels {
  private Kernels() {}

  /** The flat index into an array of {@code inShape} (right-aligned, size-1 axes broadcast) for each output index. */
  static int[] broadcastIndex(int[] inShape, int[] outShape) {
    int n = NDArray.size(outShape);
    int[] map = new int[n];
    int[] inStrides = NDArray.strides(inShape);
    int offset = outShape.length - inShape.length;
    int[] idx = new int[outShape.length];
    for (int flat = 0; flat < n; flat++) {
      int src = 0;
      for (int i = 0; i < inShape.length; i++) {
        if (inShape[i] != 1) src += idx[i + offset] * inStrides[i];
      }
      map[flat] = src;
      increment(idx, outShape);
    }
    return map;
  }

  /** Advances a row-major multi-index. */
  static void increment(int[] idx, int[] shape) {
    for (int i = shape.length - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) return;
      idx[i] = 0;
    }
  }

  static int[] broadcastShape(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (da != db && da != 1 && db != 1) throw new IllegalStateException("shapes do not broadcast at run time");
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** Reduces over {@code axes}; the result has the reduced axes as size 1 (keepdims form). */
  static double[] reduce(ReduceOp op, NDArray x, Axes axes, int[] keptShape) {
    double[] out = new double[NDArray.size(keptShape)];
    java.util.Arrays.fill(out, op.identity());
    int[] outStrides = NDArray.strides(keptShape);
    int[] idx = new int[x.rank()];
    for (int flat = 0; flat < x.size(); flat++) {
      int o = 0;
      for (int i = 0; i < idx.length; i++) if (!axes.contains(i)) o += idx[i] * outStrides[i];
      out[o] = op.combine(out[o], x.data()[flat]);
      Kernels.increment(idx, x.shape());
    }
    return out;
  }

  /** Mask of the first extreme element (row-major) within each slice over {@code axes}. */
  static double[] firstExtremeMask(NDArray x, Axes axes, boolean min, int[] keptShape) {
    ReduceOp op = min ? ReduceOp.MIN : ReduceOp.MAX;
    double[] extreme = reduce(op, x, axes, keptShape);
    boolean[] taken = new boolean[extreme.length];
    double[] mask = new double[x.size()];
    int[] outStrides = NDArray.strides(keptShape);
    int[] idx = new int[x.rank()];
    for (int flat = 0; flat < x.size(); flat++) {
      int o = 0;
      for (int i = 0; i < idx.length; i++) if (!axes.contains(i)) o += idx[i] * outStrides[i];
      double v = x.data()[flat];
      if (!taken[o] && (v == extreme[o] || (Double.isNaN(v) && Double.isNaN(extreme[o])))) {
        taken[o] = true;
        mask[flat] = 1;
      }
      Kernels.increment(idx, x.shape());
    }
    return mask;
  }

  /** Batched matrix product with broadcast batch axes; accumulates in double. */
  static NDArray matmul(NDArray a, NDArray b, DType dtype) {
    int ra = a.rank(), rb = b.rank();
    int m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
    int[] batchA = java.util.Arrays.copyOf(a.shape(), ra - 2), batchB = java.util.Arrays.copyOf(b.shape(), rb - 2);
    int[] batch = broadcastShape(batchA, batchB);
    int[] mapA = broadcastIndex(batchA, batch), mapB = broadcastIndex(batchB, batch);
    int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    double[] out = new double[NDArray.size(outShape)];
    double[] ad = a.data(), bd = b.data();
    for (int t = 0; t < mapA.length; t++) {
      int ao = mapA[t] * m * k, bo = mapB[t] * k * n, oo = t * m * n;
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          double av = ad[ao + i * k + p];
          int brow = bo + p * n, orow = oo + i * n;
          for (int j = 0; j < n; j++) out[orow + j] += av * bd[brow + j];
        }
      }
    }
    return new NDArray(dtype, outShape, roundAll(dtype, out));
  }

  static double[] roundAll(DType dtype, double[] v) {
    if (dtype == DType.F64) return v;
    for (int i = 0; i < v.length; i++) v[i] = NDArray.round(dtype, v[i]);
    return v;
  }

  static NDArray transpose(NDArray x, List<Integer> perm) {
    int r = x.rank();
    int[] outShape = new int[r];
    for (int i = 0; i < r; i++) outShape[i] = x.shape()[perm.get(i)];
    int[] inStrides = NDArray.strides(x.shape());
    double[] out = new double[x.size()];
    int[] idx = new int[r];
    for (int flat = 0; flat < out.length; flat++) {
      int src = 0;
      for (int i = 0; i < r; i++) src += idx[i] * inStrides[perm.get(i)];
      out[flat] = x.data()[src];
      increment(idx, outShape);
    }
    return new NDArray(x.dtype(), outShape, out);
  }

  /** Copies the box starting at {@code start} of size {@code outShape}. */
  static NDArray slice(NDArray x, List<Integer> start, int[] outShape) {
    int[] inStrides = NDArray.strides(x.shape());
    double[] out = new double[NDArray.size(outShape)];
    int[] idx = new int[outShape.length];
    for (int flat = 0; flat < out.length; flat++) {
      int src = 0;
      for (int i = 0; i < idx.length; i++) src += (idx[i] + start.get(i)) * inStrides[i];
      out[flat] = x.data()[src];
      increment(idx, outShape);
    }
    return new NDArray(x.dtype(), outShape, out);
  }

  /** Writes x into a zero array of {@code outShape} at offset {@code lo} (the inverse of slice). */
  static NDArray pad(NDArray x, List<Integer> lo, int[] outShape) {
    int[] outStrides = NDArray.strides(outShape);
    double[] out = new double[NDArray.size(outShape)];
    int[] idx = new int[x.rank()];
    for (int flat = 0; flat < x.size(); flat++) {
      int dst = 0;
      for (int i = 0; i < idx.length; i++) dst += (idx[i] + lo.get(i)) * outStrides[i];
      out[dst] = x.data()[flat];
      increment(idx, x.shape());
    }
    return new NDArray(x.dtype(), outShape, out);
  }

  /**
   * im2col: out[l, i, j, p, q] = x[l, p*sh + i*dh, q*sw + j*dw] over the flattened leading axes l
   * ({@code outShape} ends with kh, kw, OH, OW).
   */
  static NDArray unfold(NDArray x, nnc.compiler.ir.Window.Geometry g, int[] outShape) {
    int r = x.rank(), h = x.shape()[r - 2], w = x.shape()[r - 1];
    int oh = outShape[outShape.length - 2], ow = outShape[outShape.length - 1];
    int lead = x.size() / (h * w);
    double[] out = new double[NDArray.size(outShape)];
    int o = 0;
    for (int l = 0; l < lead; l++) {
      for (int i = 0; i < g.kh(); i++) {
        for (int j = 0; j < g.kw(); j++) {
          for (int p = 0; p < oh; p++) {
            for (int q = 0; q < ow; q++) {
              out[o++] = x.data()[(l * h + p * g.sh() + i * g.dh()) * w + q * g.sw() + j * g.dw()];
            }
          }
        }
      }
    }
    return new NDArray(x.dtype(), outShape, out);
  }

  /** col2im, the transpose of {@link #unfold}: each x[l, i, j, p, q] is added to out[l, p*sh + i*dh, q*sw + j*dw]. */
  static NDArray fold(NDArray x, nnc.compiler.ir.Window.Geometry g, int[] outShape) {
    int r = x.rank(), oh = x.shape()[r - 2], ow = x.shape()[r - 1];
    int h = outShape[outShape.length - 2], w = outShape[outShape.length - 1];
    int lead = NDArray.size(outShape) / (h * w);
    double[] out = new double[NDArray.size(outShape)];
    int k = 0;
    for (int l = 0; l < lead; l++) {
      for (int i = 0; i < g.kh(); i++) {
        for (int j = 0; j < g.kw(); j++) {
          for (int p = 0; p < oh; p++) {
            for (int q = 0; q < ow; q++) {
              out[(l * h + p * g.sh() + i * g.dh()) * w + q * g.sw() + j * g.dw()] += x.data()[k++];
            }
          }
        }
      }
    }
    return new NDArray(x.dtype(), outShape, roundAll(x.dtype(), out));
  }

  static NDArray concat(List<NDArray> parts, int axis) {
    int[] outShape = parts.get(0).shape().clone();
    outShape[axis] = parts.stream().mapToInt(p -> p.shape()[axis]).sum();
    NDArray out = new NDArray(parts.get(0).dtype(), outShape, new double[NDArray.size(outShape)]);
    int offset = 0;
    for (NDArray p : parts) {
      java.util.List<Integer> lo = new java.util.ArrayList<>(java.util.Collections.nCopies(outShape.length, 0));
      lo.set(axis, offset);
      NDArray placed = pad(p, lo, outShape);
      for (int i = 0; i < out.size(); i++) out.data()[i] += placed.data()[i];
      offset += p.shape()[axis];
    }
    return out;
  }

  /** Softmax or log-softmax along one axis, with the maximum subtracted first. */
  static NDArray softmax(NDArray x, int axis, boolean log) {
    int[] shape = x.shape();
    int len = shape[axis];
    int inner = 1;
    for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
    int outer = x.size() / Math.max(1, len * inner);
    double[] out = new double[x.size()];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * len * inner + in;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) max = Math.max(max, x.data()[base + k * inner]);
        if (Double.isInfinite(max)) max = 0; // all -inf (or +inf) rows: let the arithmetic say NaN/0
        double sum = 0;
        for (int k = 0; k < len; k++) sum += Math.exp(x.data()[base + k * inner] - max);
        double logSum = Math.log(sum);
        for (int k = 0; k < len; k++) {
          double shifted = x.data()[base + k * inner] - max;
          out[base + k * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
        }
      }
    }
    return new NDArray(x.dtype(), shape, roundAll(x.dtype(), out));
  }
}
