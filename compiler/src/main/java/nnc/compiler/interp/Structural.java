package nnc.compiler.interp;

import java.util.function.Function;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Indexing;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Normalizer;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Window;
import nnc.runtime.DType;

/** Reference semantics of the non-elementwise primitives. */
final class Structural {
  private Structural() {}

  static NDArray compute(Node node, Function<Node, NDArray> v, int[] shape, DType dtype) {
    return switch (node) {
      case Reduction.Reduce r -> {
        NDArray x = v.apply(r.x());
        int[] kept = x.shape().clone();
        for (int a : r.axes().list()) kept[a] = 1;
        yield new NDArray(dtype, shape, Kernels.roundAll(dtype, Kernels.reduce(r.op(), x, r.axes(), kept)));
      }
      case Reduction.ArgMax a -> {
        NDArray x = v.apply(a.x());
        int[] kept = x.shape().clone();
        kept[a.axis()] = 1;
        int len = x.shape()[a.axis()], inner = 1;
        for (int i = a.axis() + 1; i < x.rank(); i++) inner *= x.shape()[i];
        double[] out = new double[NDArray.size(kept)];
        for (int o = 0; o < out.length; o++) {
          int base = (o / inner) * len * inner + o % inner;
          int best = 0;
          for (int k = 1; k < len; k++) {
            double c = x.data()[base + k * inner], b = x.data()[base + best * inner];
            if (c > b || (Double.isNaN(c) && !Double.isNaN(b))) best = k;
          }
          out[o] = best;
        }
        yield new NDArray(dtype, shape, out);
      }
      case Reduction.FirstMaxMask m -> {
        NDArray x = v.apply(m.x());
        int[] kept = x.shape().clone();
        for (int a : m.axes().list()) kept[a] = 1;
        yield new NDArray(dtype, shape, Kernels.firstExtremeMask(x, m.axes(), m.min(), kept));
      }
      case Linalg.MatMul m -> Kernels.matmul(v.apply(m.a()), v.apply(m.b()), dtype);
      case Movement.Transpose t -> Kernels.transpose(v.apply(t.x()), t.perm());
      case Movement.Reshape r -> new NDArray(dtype, shape, v.apply(r.x()).data());
      case Movement.Broadcast b -> {
        NDArray x = v.apply(b.x());
        int[] map = Kernels.broadcastIndex(x.shape(), shape);
        double[] out = new double[map.length];
        for (int i = 0; i < out.length; i++) out[i] = x.data()[map[i]];
        yield new NDArray(dtype, shape, out);
      }
      case Movement.Slice s -> Kernels.slice(v.apply(s.x()), s.start(), shape);
      case Movement.Pad p -> Kernels.pad(v.apply(p.x()), p.lo(), shape);
      case Movement.Concat c -> Kernels.concat(c.parts().stream().map(v).toList(), c.axis());
      case Indexing.Gather g -> gather(v.apply(g.table()), v.apply(g.idx()), shape, dtype);
      case Indexing.ScatterAdd s -> scatterAdd(v.apply(s.src()), v.apply(s.idx()), shape, dtype);
      case Normalizer.Softmax s -> Kernels.softmax(v.apply(s.x()), s.axis(), false);
      case Normalizer.LogSoftmax s -> Kernels.softmax(v.apply(s.x()), s.axis(), true);
      case Control.StopGradient s -> v.apply(s.x());
      case Window.Unfold u -> Kernels.unfold(v.apply(u.x()), u.geometry(), shape);
      case Window.Fold f -> Kernels.fold(v.apply(f.x()), f.geometry(), shape);
      default -> throw new IllegalStateException("no reference semantics for " + node.opName());
    };
  }

  private static NDArray gather(NDArray table, NDArray idx, int[] shape, DType dtype) {
    int rows = table.shape()[0], row = table.size() / Math.max(1, rows);
    double[] out = new double[NDArray.size(shape)];
    for (int i = 0; i < idx.size(); i++) {
      int r = (int) idx.data()[i];
      if (r < 0 || r >= rows) throw new EvaluationException("gather: index " + r + " is out of range for " + rows + " rows");
      System.arraycopy(table.data(), r * row, out, i * row, row);
    }
    return new NDArray(dtype, shape, out);
  }

  private static NDArray scatterAdd(NDArray src, NDArray idx, int[] shape, DType dtype) {
    int rows = shape[0], row = NDArray.size(shape) / Math.max(1, rows);
    double[] out = new double[NDArray.size(shape)];
    for (int i = 0; i < idx.size(); i++) {
      int r = (int) idx.data()[i];
      if (r < 0 || r >= rows) throw new EvaluationException("scatter_add: index " + r + " is out of range for " + rows + " rows");
      for (int k = 0; k < row; k++) out[r * row + k] += src.data()[i * row + k];
    }
    return new NDArray(dtype, shape, Kernels.roundAll(dtype, out));
  }
}
