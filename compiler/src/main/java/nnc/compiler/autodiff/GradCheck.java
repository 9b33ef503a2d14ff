package nnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.runtime.DType;
import nnc.runtime.Rng;

/**
 * Checks symbolic gradients against central finite differences in f64, one random unit direction
 * per differentiated tensor (Theano's verify_grad): the directional derivative
 * (f(θ+εv) − f(θ−εv)) / 2ε must equal ⟨∇f, v⟩. Second order checks the gradient of ⟨∇f, w⟩ for
 * a random constant w the same way, i.e. Hessian-vector products.
 */
public final class GradCheck {
  static final double EPS = 1e-5;
  /** Below this magnitude, errors are measured absolutely (both sides are then numerically zero). */
  static final double FLOOR = 1e-3;

  public record Row(String wrt, int order, double numeric, double symbolic, double error, boolean ok) {}

  public record Report(String model, int batch, long seed, double tolerance, List<Row> rows) {
    public boolean passed() {
      return rows.stream().allMatch(Row::ok);
    }

    public String table() {
      StringBuilder sb = new StringBuilder(String.format(
          "gradcheck %s: f64 central differences, eps %.0e, batch %d, seed %d, tolerance %.0e%n", model, EPS, batch, seed, tolerance));
      int w = Math.max(8, rows.stream().mapToInt(r -> r.wrt().length()).max().orElse(0));
      sb.append(String.format("  %-" + w + "s  %5s  %14s  %14s  %9s%n", "wrt", "order", "numeric", "symbolic", "rel.error"));
      for (Row r : rows) {
        sb.append(String.format("  %-" + w + "s  %5d  %14.6e  %14.6e  %9.1e  %s%n", r.wrt(), r.order(), r.numeric(),
            r.symbolic(), r.error(), r.ok() ? "ok" : "FAIL"));
      }
      long failed = rows.stream().filter(r -> !r.ok()).count();
      sb.append(failed == 0 ? "all " + rows.size() + " checks passed" : failed + " of " + rows.size() + " checks FAILED").append('\n');
      return sb.toString();
    }
  }

  private final Graph g;
  private final IrBuilder b;
  private final Rng rng;
  private final Map<String, NDArray> inputs = new LinkedHashMap<>();
  private final Map<String, NDArray> params;
  private final List<Node> wrt = new ArrayList<>();
  private final Map<Node, NDArray> frozen = new java.util.IdentityHashMap<>();

  private GradCheck(Graph g, long seed, int batch) {
    this.g = g;
    this.b = g.builder();
    this.rng = Rng.forStream(seed, "gradcheck");
    Map<String, Integer> dims = new HashMap<>();
    for (Leaf.Input in : g.inputs()) {
      for (Dim d : in.shape().dims()) if (d instanceof Dim.Sym s) dims.put(s.name(), batch);
    }
    for (Leaf.Input in : g.inputs()) {
      int[] shape = in.shape().concrete(dims);
      inputs.put(in.name(), randomInput(in, shape));
      if (in.type().isFloat()) wrt.add(in);
    }
    // Seeded initial values, jittered so that no ties (equal maxima, zero pre-activations) remain.
    params = new LinkedHashMap<>(Parameters.initial(g, seed));
    params.replaceAll((k, v) -> jitter(v));
    // Dropout is checked in training mode, with one fixed draw of its noise.
    for (Node n : Graph.topoOrder(g.roots().values())) {
      if (n instanceof Leaf.Noise nz) {
        double[] u = new double[NDArray.size(nz.shape().concrete(dims))];
        for (int i = 0; i < u.length; i++) u[i] = rng.nextDouble();
        inputs.put(nz.name(), new NDArray(DType.F64, nz.shape().concrete(dims), u));
      }
    }
    wrt.addAll(0, g.params());
  }

  /** Checks every parameter and float input of {@code g} against the objective. */
  public static Report run(Graph g, long seed, int batch, int maxOrder, double tolerance) {
    GradCheck c = new GradCheck(g, seed, batch);
    Node f = objective(g);
    List<Row> rows = new ArrayList<>(c.check(f, 1, tolerance));
    if (maxOrder >= 2) {
      // s = sum_j <grad_j f, w_j> over the parameters (static shapes) for random constant w_j.
      Map<Node, Node> grads = Autodiff.grad(c.b, f, List.copyOf(g.params()));
      Node s = null;
      for (Node gj : grads.values()) {
        Node dir = c.b.constant(c.direction(gj.shape().concrete(Map.of())), gj.type());
        Node term = c.b.reduce(ReduceOp.SUM, c.b.mul(gj, dir), Axes.all(gj.shape().rank()), false);
        s = s == null ? term : c.b.add(s, term);
      }
      if (s != null) rows.addAll(c.check(s, 2, tolerance));
    }
    return new Report(g.name(), batch, seed, tolerance, rows);
  }

  /** The training objective, or else the sum of every float output. */
  public static Node objective(Graph g) {
    if (g.train() != null) return g.train().objective();
    IrBuilder b = g.builder();
    Node total = null;
    for (Node o : g.outputs().values()) {
      if (!o.type().isFloat()) continue;
      Node s = b.reduce(ReduceOp.SUM, o, Axes.all(o.shape().rank()), false);
      total = total == null ? s : b.add(total, s);
    }
    if (total == null) throw new IllegalArgumentException("the model has no float output and no train objective to check");
    return total;
  }

  private List<Row> check(Node f, int order, double tolerance) {
    Map<Node, Node> grads = Autodiff.grad(b, f, wrt);
    Map<String, NDArray> gradValues = new Interpreter(g, inputs, params, true).training(true).run(named(grads));
    // stop_gradient(x) is held at its value at the checked point while the differences move the
    // parameters: they then measure the derivative that autodiff defines, with x's dependence cut
    // (a distillation teacher, say), instead of the true derivative of the objective's value.
    frozen.clear();
    Interpreter at = new Interpreter(g, inputs, params, true).training(true);
    for (Node n : Graph.topoOrder(List.of(f))) if (n instanceof nnc.compiler.ir.Control.StopGradient) frozen.put(n, at.eval(n));
    List<Row> rows = new ArrayList<>();
    for (Node w : wrt) {
      String name = nameOf(w);
      NDArray base = valueOf(w);
      double[] v = direction(base.shape());
      NDArray gv = gradValues.get(name);
      double symbolic = 0;
      if (gv != null) for (int i = 0; i < v.length; i++) symbolic += gv.data()[i] * v[i];
      double numeric = (eval(f, w, base, v, EPS) - eval(f, w, base, v, -EPS)) / (2 * EPS);
      double err = Math.abs(numeric - symbolic) / Math.max(FLOOR, Math.max(Math.abs(numeric), Math.abs(symbolic)));
      rows.add(new Row(name, order, numeric, symbolic, err, err <= tolerance));
    }
    return rows;
  }

  private Map<String, Node> named(Map<Node, Node> grads) {
    Map<String, Node> out = new LinkedHashMap<>();
    grads.forEach((w, gr) -> out.put(nameOf(w), gr));
    return out;
  }

  private double eval(Node f, Node w, NDArray base, double[] v, double step) {
    double[] moved = base.data().clone();
    for (int i = 0; i < moved.length; i++) moved[i] += step * v[i];
    NDArray shifted = new NDArray(DType.F64, base.shape(), moved);
    Map<String, NDArray> in = new LinkedHashMap<>(inputs), ps = new LinkedHashMap<>(params);
    if (w instanceof Leaf.Param p) ps.put(p.name(), shifted);
    else in.put(nameOf(w), shifted);
    return new Interpreter(g, in, ps, true).training(true).pin(frozen).eval(f).scalar();
  }

  private static String nameOf(Node w) {
    return w instanceof Leaf.Param p ? p.name() : ((Leaf.Input) w).name();
  }

  private NDArray valueOf(Node w) {
    NDArray v = w instanceof Leaf.Param p ? params.get(p.name()) : inputs.get(nameOf(w));
    return new NDArray(DType.F64, v.shape(), v.data());
  }

  /** A random direction of unit length. */
  private double[] direction(int[] shape) {
    double[] v = new double[NDArray.size(shape)];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }

  private NDArray jitter(NDArray v) {
    double[] d = v.data().clone();
    for (int i = 0; i < d.length; i++) d[i] += 0.05 * rng.nextGaussian();
    return new NDArray(DType.F64, v.shape(), d);
  }

  private NDArray randomInput(Leaf.Input in, int[] shape) {
    double[] d = new double[NDArray.size(shape)];
    int classes = in.dtype() == DType.I32 ? LabelRange.of(g, in) : 2;
    for (int i = 0; i < d.length; i++) {
      d[i] = switch (in.dtype()) {
        case F32, F64 -> rng.nextGaussian();
        case I32 -> rng.nextInt(classes);
        case BOOL -> rng.nextInt(2);
      };
    }
    return new NDArray(in.type().isFloat() ? DType.F64 : in.dtype(), shape, d);
  }

}
