package nnc.compiler.interp;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.runtime.DType;

/**
 * The reference semantics of every primitive: evaluates graph nodes on {@link NDArray}s. It is the
 * oracle that compiled code is tested against, so it favours obviousness over speed.
 *
 * <p>With {@code promoteToF64}, f32 nodes are evaluated without rounding (as f64), which is what
 * finite-difference gradient checks need.
 */
public final class Interpreter {
  private final Map<String, NDArray> inputs;
  private final Map<String, NDArray> params;
  private final boolean promoteToF64;
  private final Map<String, Integer> dims = new HashMap<>();
  private final Map<Node, NDArray> memo = new IdentityHashMap<>();
  private boolean training;

  /**
   * Evaluates in training mode: dropout in its training form, with the noise values taken from
   * the inputs under their names ({@code noise.0}, ...), and the training branch of by_mode
   * (batch norm's batch statistics). By default the interpreter evaluates as inference does:
   * dropout is the identity and batch norm uses its running statistics.
   */
  public Interpreter training(boolean on) {
    training = on;
    return this;
  }

  public Interpreter(Graph g, Map<String, NDArray> inputs, Map<String, NDArray> params, boolean promoteToF64) {
    this.inputs = inputs;
    this.params = params;
    this.promoteToF64 = promoteToF64;
    for (Leaf.Input in : g.inputs()) {
      NDArray v = inputs.get(in.name());
      if (v != null) bindDims(in.name(), in.shape(), v.shape());
    }
  }

  /** Fixes the values of some nodes (gradient checks hold stop_gradient's outputs still this way). */
  public Interpreter pin(Map<Node, NDArray> values) {
    memo.putAll(values);
    return this;
  }

  /** Evaluates every root by name. */
  public Map<String, NDArray> run(Map<String, Node> roots) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : roots.entrySet()) out.put(e.getKey(), eval(e.getValue()));
    return out;
  }

  /** The symbolic dimension sizes bound by the inputs. */
  public Map<String, Integer> dims() {
    return Map.copyOf(dims);
  }

  private void bindDims(String name, Shape declared, int[] actual) {
    if (declared.rank() != actual.length) {
      throw new EvaluationException("input " + name + ": expected rank " + declared.rank() + " (" + declared
          + "), got shape " + java.util.Arrays.toString(actual));
    }
    for (int i = 0; i < actual.length; i++) {
      switch (declared.get(i)) {
        case Dim.Fixed f -> {
          if (f.size() != actual[i]) {
            throw new EvaluationException("input " + name + ": expected shape " + declared + ", got "
                + java.util.Arrays.toString(actual).replace(" ", ""));
          }
        }
        case Dim.Sym s -> {
          Integer old = dims.putIfAbsent(s.name(), actual[i]);
          if (old != null && old != actual[i]) {
            throw new EvaluationException("input " + name + ": dimension " + s.name() + " is " + actual[i]
                + " here but " + old + " in another input");
          }
        }
      }
    }
  }

  /** Evaluates one node (memoized; iterative over the DAG so deep graphs do not overflow the stack). */
  public NDArray eval(Node root) {
    for (Node n : Graph.topoOrder(List.of(root))) {
      if (!memo.containsKey(n)) memo.put(n, compute(n));
    }
    return memo.get(root);
  }

  private DType dt(Node n) {
    return promoteToF64 && n.dtype() == DType.F32 ? DType.F64 : n.dtype();
  }

  private NDArray v(Node n) {
    return memo.get(n);
  }

  private int[] shape(Node n) {
    return n.shape().concrete(dims);
  }

  private NDArray compute(Node node) {
    DType dtype = dt(node);
    return switch (node) {
      case Leaf.Input in -> {
        NDArray v = inputs.get(in.name());
        if (v == null) throw new EvaluationException("missing input '" + in.name() + "' (" + in.type() + ")");
        yield convert(v, dtype);
      }
      case Leaf.Param p -> {
        NDArray v = params.get(p.name());
        if (v == null) throw new EvaluationException("missing parameter '" + p.name() + "'");
        if (!java.util.Arrays.equals(v.shape(), shape(p))) {
          throw new EvaluationException("parameter " + p.name() + ": expected shape " + p.shape() + ", got "
              + java.util.Arrays.toString(v.shape()).replace(" ", ""));
        }
        yield convert(v, dtype);
      }
      case Leaf.State st -> {
        NDArray v = params.get(st.name());
        if (v == null) throw new EvaluationException("missing model state '" + st.name() + "'");
        yield convert(v, dtype);
      }
      // The branch of the mode, broadcast to the node's shape (memoized evaluation computes both,
      // which is harmless: nothing has side effects).
      case Control.ByMode m -> {
        NDArray chosen = v(m.branch(training));
        int[] s = shape(m);
        int[] map = Kernels.broadcastIndex(chosen.shape(), s);
        double[] out = new double[map.length];
        for (int i = 0; i < out.length; i++) out[i] = chosen.data()[map[i]];
        yield new NDArray(dtype, s, out);
      }
      case Leaf.Constant c -> new NDArray(dtype, shape(c), Kernels.roundAll(dtype, c.value().values()));
      case Leaf.DimSize d -> {
        Integer size = dims.get(d.dim());
        if (size == null) throw new EvaluationException("dimension " + d.dim() + " is not bound by any given input");
        yield new NDArray(dtype, new int[0], new double[] {size});
      }
      case Leaf.Noise nz -> {
        NDArray v = inputs.get(nz.name());
        int[] shape = shape(nz);
        if (v == null) {
          if (training) throw new EvaluationException("missing values for " + nz.name() + " (the noise of dropout in training mode)");
          yield new NDArray(dtype, shape, new double[NDArray.size(shape)]); // unused outside training
        }
        yield convert(v, dtype);
      }
      case Control.Dropout d -> {
        NDArray x = v(d.x());
        if (!training) yield x;
        NDArray noise = v(d.noise());
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) out[i] = noise.data()[i] >= d.p() ? NDArray.round(dtype, x.data()[i] * (1 / (1 - d.p()))) : 0;
        yield new NDArray(dtype, x.shape(), out);
      }
      case Leaf.Iota i -> {
        int[] s = shape(i);
        double[] out = new double[NDArray.size(s)];
        int[] idx = new int[s.length];
        for (int f = 0; f < out.length; f++) {
          out[f] = idx[i.axis()];
          Kernels.increment(idx, s);
        }
        yield new NDArray(dtype, s, out);
      }
      case Elementwise.Unary u -> map(v(u.x()), dtype, u.op()::apply);
      case Elementwise.Binary b -> zip(v(b.a()), v(b.b()), dtype, b.op()::apply);
      case Elementwise.Where w -> {
        int[] s = shape(w);
        NDArray c = v(w.cond()), a = v(w.a()), b = v(w.b());
        int[] mc = Kernels.broadcastIndex(c.shape(), s), ma = Kernels.broadcastIndex(a.shape(), s),
            mb = Kernels.broadcastIndex(b.shape(), s);
        double[] out = new double[mc.length];
        for (int i = 0; i < out.length; i++) out[i] = c.data()[mc[i]] != 0 ? a.data()[ma[i]] : b.data()[mb[i]];
        yield new NDArray(dtype, s, out);
      }
      case Elementwise.Cast c -> convert(v(c.x()), dtype);
      default -> Structural.compute(node, this::v, shape(node), dtype);
    };
  }

  private static NDArray convert(NDArray v, DType dtype) {
    if (v.dtype() == dtype) return v;
    double[] out = v.data().clone();
    return new NDArray(dtype, v.shape(), Kernels.roundAll(dtype, out));
  }

  private static NDArray map(NDArray x, DType dtype, java.util.function.DoubleUnaryOperator f) {
    double[] out = new double[x.size()];
    for (int i = 0; i < out.length; i++) out[i] = NDArray.round(dtype, f.applyAsDouble(x.data()[i]));
    return new NDArray(dtype, x.shape(), out);
  }

  private static NDArray zip(NDArray a, NDArray b, DType dtype, java.util.function.DoubleBinaryOperator f) {
    int[] s = Kernels.broadcastShape(a.shape(), b.shape());
    int[] ma = Kernels.broadcastIndex(a.shape(), s), mb = Kernels.broadcastIndex(b.shape(), s);
    double[] out = new double[ma.length];
    for (int i = 0; i < out.length; i++) out[i] = NDArray.round(dtype, f.applyAsDouble(a.data()[ma[i]], b.data()[mb[i]]));
    return new NDArray(dtype, s, out);
  }
}
