package nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import nnc.compiler.frontend.CompilationFailed;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TensorType;
import nnc.runtime.DType;

/**
 * The machinery behind {@link GradientTableTest}: builds one small f64 graph per table row (from a
 * {@code .nn} expression or directly with {@link IrBuilder}), differentiates a scalar objective of
 * its output, and compares every gradient entry with central finite differences evaluated by the
 * reference interpreter in f64. Second order differentiates ⟨∇f, w⟩ for a constant w (a
 * Hessian-vector product) and compares it the same way.
 *
 * <p>Every symbolic dimension is bound to {@value #BATCH}.
 */
final class GradHarness {
  static final int BATCH = 3;
  /** Relative step of the central differences (times max(1, |x|)). */
  static final double STEP = 1e-5;
  /** Allowed error: RTOL * (|numeric| + |symbolic|) + ATOL * scale of the checked quantity. */
  static final double RTOL = 1e-6;
  static final double ATOL = 1e-8;

  private GradHarness() {}

  // ---- rows -----------------------------------------------------------------------------------

  /** Builds the output of an IR row from its declared inputs. */
  @FunctionalInterface
  interface IrRow {
    Node build(IrBuilder b, Map<String, Node> in);
  }

  /** Where the values of a float input are drawn from (ordinary points and edge points). */
  enum Domain {
    /** Any real: N(0,1); edge points 0, 5, -5. */
    REAL(new double[] {0, 5, -5}),
    /** Positive (log, sqrt, pow base): 0.3 + |N(0,1)|; edge points 0.1, 5, 1. */
    POS(new double[] {0.1, 5, 1}),
    /** Away from zero (denominators): ±(0.5 + |N(0,1)|); edge points 0.1, 5, -5. */
    NONZERO(new double[] {0.1, 5, -5}),
    /** A probability: uniform in (0.05, 0.95); edge points 0.01, 0.99, 0.5. */
    UNIT(new double[] {0.01, 0.99, 0.5});

    final double[] edges;

    Domain(double[] edges) {
      this.edges = edges;
    }

    double ordinary(Random r) {
      return switch (this) {
        case REAL -> r.nextGaussian();
        case POS -> 0.3 + Math.abs(r.nextGaussian());
        case NONZERO -> (r.nextBoolean() ? 1 : -1) * (0.5 + Math.abs(r.nextGaussian()));
        case UNIT -> 0.05 + 0.9 * r.nextDouble();
      };
    }
  }

  /**
   * One declared input: {@code "x f64[2,3]"}, optionally followed by a domain ({@code pos},
   * {@code nonzero}, {@code unit}) or, for i32 inputs, a range {@code <4}. The word {@code state}
   * declares model state instead of an input (batch norm's running statistics): it is given
   * values like an input, but it is not differentiated with respect to.
   */
  record InputSpec(String name, String typeText, TensorType type, Domain domain, int range, boolean isState) {
    static InputSpec parse(String spec) {
      String[] parts = spec.trim().split("\\s+");
      String typeText = parts[1];
      Domain domain = Domain.REAL;
      int range = 2;
      boolean state = false;
      for (int i = 2; i < parts.length; i++) {
        if (parts[i].startsWith("<")) range = Integer.parseInt(parts[i].substring(1));
        else if (parts[i].equals("state")) state = true;
        else domain = Domain.valueOf(parts[i].toUpperCase());
      }
      return new InputSpec(parts[0], typeText, parseType(typeText), domain, range, state);
    }

    boolean isFloat() {
      return type.isFloat();
    }
  }

  static TensorType parseType(String text) {
    int open = text.indexOf('[');
    DType dtype = DType.parse(open < 0 ? text : text.substring(0, open));
    List<Dim> dims = new ArrayList<>();
    if (open >= 0) {
      String inside = text.substring(open + 1, text.length() - 1).trim();
      if (!inside.isEmpty()) {
        for (String d : inside.split(",")) {
          d = d.trim();
          dims.add(Character.isDigit(d.charAt(0)) ? Dim.of(Integer.parseInt(d)) : Dim.sym(d));
        }
      }
    }
    return new TensorType(dtype, new Shape(dims));
  }

  /**
   * A row of the gradient table: an expression over declared inputs (or an IR builder for
   * primitives the language does not expose). {@code hasKinks} rows (marked with {@code kinked()}) have a kink or tie that
   * random points avoid; their edge points are nudged off it (the kink itself is checked by hand
   * in {@link Kink}). {@code noGrad} names float inputs that must get no gradient at all.
   */
  record Row(String name, String expr, IrRow ir, List<InputSpec> inputs, boolean hasKinks, Set<String> noGrad, boolean inTraining) {
    Row(String name, String expr, IrRow ir, List<InputSpec> inputs, boolean hasKinks, Set<String> noGrad) {
      this(name, expr, ir, inputs, hasKinks, noGrad, false);
    }

    static Row src(String name, String expr, String... inputs) {
      return new Row(name, expr, null, Arrays.stream(inputs).map(InputSpec::parse).toList(), false, Set.of());
    }

    static Row ir(String name, IrRow ir, String... inputs) {
      return new Row(name, null, ir, Arrays.stream(inputs).map(InputSpec::parse).toList(), false, Set.of());
    }

    Row kinked() {
      return new Row(name, expr, ir, inputs, true, noGrad, inTraining);
    }

    Row noGrad(String... names) {
      return new Row(name, expr, ir, inputs, hasKinks, Set.of(names), inTraining);
    }

    /** Evaluated and differentiated in training mode (dropout active, batch norm on batch statistics). */
    Row training() {
      return new Row(name, expr, ir, inputs, hasKinks, noGrad, true);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A graph built from a row, with its output and declared inputs. */
  record Built(Graph graph, Node out, Map<String, Leaf.Input> inputs, List<InputSpec> specs, boolean training) {
    Built(Graph graph, Node out, Map<String, Leaf.Input> inputs, List<InputSpec> specs) {
      this(graph, out, inputs, specs, false);
    }

    IrBuilder b() {
      return graph.builder();
    }

    /** The differentiated inputs: float, and not model state. */
    List<Node> floatInputs() {
      List<Node> out = new ArrayList<>();
      for (InputSpec s : specs) if (s.isFloat() && !s.isState()) out.add(inputs.get(s.name()));
      return out;
    }

    /** The reference interpreter at a point; model state takes its values from the point too. */
    Interpreter interpreter(Map<String, NDArray> at) {
      return new Interpreter(graph, at, at, true).training(training);
    }
  }

  /** The {@code .nn} text of a row: its inputs, then {@code output out = EXPR}. */
  static String source(List<InputSpec> specs, String body) {
    StringBuilder sb = new StringBuilder();
    for (InputSpec s : specs) sb.append(s.isState() ? "state " : "input ").append(s.name()).append(" : ").append(s.typeText()).append('\n');
    return sb.append(body).append('\n').toString();
  }

  static Graph compile(String name, String text) {
    try {
      return Elaborator.compile(new SourceText(name, text));
    } catch (CompilationFailed e) {
      throw new AssertionError("row does not compile:\n" + text + "\n" + e.render());
    }
  }

  static Built build(Row row) {
    if (row.expr() != null) {
      Graph g = compile(fileName(row.name()), source(row.inputs(), "output out = " + row.expr()));
      Map<String, Leaf.Input> in = new LinkedHashMap<>();
      for (Leaf.Input i : g.inputs()) in.put(i.name(), i);
      return new Built(g, g.outputs().get("out"), in, row.inputs(), row.inTraining());
    }
    IrBuilder b = new IrBuilder();
    Map<String, Leaf.Input> in = new LinkedHashMap<>();
    Map<String, Node> asNodes = new LinkedHashMap<>();
    for (InputSpec s : row.inputs()) {
      Leaf.Input i = b.input(s.name(), s.type());
      in.put(s.name(), i);
      asNodes.put(s.name(), i);
    }
    Node out = row.ir().build(b, asNodes);
    Graph g = new Graph(fileName(row.name()), List.copyOf(in.values()), List.of(), Map.of("out", out), Map.of("out", out), null, b);
    return new Built(g, out, in, row.inputs(), row.inTraining());
  }

  private static String fileName(String rowName) {
    return rowName.replaceAll("[^A-Za-z0-9_]+", "_") + ".nn";
  }

  // ---- points ---------------------------------------------------------------------------------

  /** Where a row is evaluated: seeded random points, or the edge values of each input's domain. */
  record Point(String kind, long seed) {
    static Point ordinary(long seed) {
      return new Point("ordinary", seed);
    }

    static Point edge() {
      return new Point("edge", 0);
    }

    boolean isEdge() {
      return kind.equals("edge");
    }

    @Override
    public String toString() {
      return isEdge() ? "edge points" : "random point (seed " + seed + ")";
    }
  }

  static int[] concrete(Shape s) {
    int[] out = new int[s.rank()];
    for (int i = 0; i < out.length; i++) out[i] = s.get(i) instanceof Dim.Fixed f ? f.size() : BATCH;
    return out;
  }

  /**
   * Input values at a point. Edge points cycle through the domain's edge values, shifted per
   * input so that two inputs never tie elementwise; for kinked rows they are nudged by distinct
   * multiples of 1e-3, so that no value sits on a kink and no two values of a slice tie.
   */
  static Map<String, NDArray> values(Row row, Point p) {
    Random r = new Random(row.name().hashCode() * 1_000_003L + p.seed());
    Map<String, NDArray> out = new LinkedHashMap<>();
    int k = 0;
    for (InputSpec s : row.inputs()) {
      int[] shape = concrete(s.type().shape());
      double[] d = new double[NDArray.size(shape)];
      for (int i = 0; i < d.length; i++) {
        d[i] = switch (s.type().dtype()) {
          case F32, F64 -> p.isEdge()
              ? s.domain().edges[(i + k) % 3] + (row.hasKinks() ? 1e-3 * (i + 1) * (k + 1) : 0)
              : s.domain().ordinary(r);
          case I32 -> r.nextInt(s.range());
          case BOOL -> r.nextInt(2);
        };
      }
      if (s.isFloat()) k++;
      out.put(s.name(), new NDArray(s.isFloat() ? DType.F64 : s.type().dtype(), shape, d));
    }
    return out;
  }

  // ---- objectives -----------------------------------------------------------------------------

  /** How the scalar objective uses the row's output (and its inputs). */
  enum Mode {
    /** f = Σ c1·out + ½ Σ c2·out² for constant c1, c2: a vjp with a cotangent that depends on out. */
    PLAIN,
    /** As PLAIN plus Σ c3·x·x for every float input x: each input fans out to the row and to x*x. */
    FANOUT
  }

  /** A constant of random values of {@code like}'s type, symbolic axes replaced by 1 (they broadcast). */
  static Node randomConstant(IrBuilder b, Node like, Random r) {
    List<Dim> dims = new ArrayList<>();
    for (Dim d : like.shape().dims()) dims.add(d instanceof Dim.Fixed ? d : Dim.of(1));
    Shape s = new Shape(dims);
    double[] v = new double[(int) s.staticSize()];
    for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
    return b.constant(v, new TensorType(like.dtype(), s));
  }

  static Node sumAll(IrBuilder b, Node x) {
    return x.shape().rank() == 0 ? x : b.reduce(ReduceOp.SUM, x, Axes.all(x.shape().rank()), false);
  }

  static Node objective(Built c, Mode mode, Random r) {
    IrBuilder b = c.b();
    Node out = c.out();
    Node f = b.add(sumAll(b, b.mul(randomConstant(b, out, r), out)),
        b.mul(b.scalar(0.5, out), sumAll(b, b.mul(randomConstant(b, out, r), b.mul(out, out)))));
    if (f.dtype() != DType.F64) f = b.cast(f, DType.F64);
    if (mode == Mode.FANOUT) {
      for (Node x : c.floatInputs()) {
        Node term = sumAll(b, b.mul(randomConstant(b, x, r), b.mul(x, x)));
        f = b.add(f, b.cast(term, DType.F64));
      }
    }
    return f;
  }

  /** s = Σ_w ⟨∇_w f, dir_w⟩ for random constant directions: its gradient is a Hessian-vector product. */
  static Node directional(IrBuilder b, Map<Node, Node> grads, Random r) {
    Node s = null;
    for (Node g : grads.values()) {
      Node term = b.cast(sumAll(b, b.mul(g, randomConstant(b, g, r))), DType.F64);
      s = s == null ? term : b.add(s, term);
    }
    return s;
  }

  // ---- evaluation and comparison --------------------------------------------------------------

  static NDArray eval(Built c, Node n, Map<String, NDArray> at) {
    return c.interpreter(at).eval(n);
  }

  static String nameOf(Node w) {
    return ((Leaf.Input) w).name();
  }

  /**
   * Compares each entry of the symbolic gradients of scalar {@code f} with central differences;
   * a wrt-node absent from {@code grads} has gradient zero.
   */
  static void compare(String what, Built c, Node f, Map<Node, Node> grads, List<Node> wrt, Map<String, NDArray> at) {
    Map<String, Node> named = new LinkedHashMap<>();
    grads.forEach((w, g) -> named.put(nameOf(w), g));
    Map<String, NDArray> symbolic = c.interpreter(at).run(named);
    double f0 = eval(c, f, at).scalar();
    List<double[]> numeric = new ArrayList<>();
    double scale = Math.max(1, Math.abs(f0));
    for (Node w : wrt) {
      double[] base = at.get(nameOf(w)).data().clone();
      double[] num = new double[base.length];
      for (int i = 0; i < base.length; i++) {
        double h = STEP * Math.max(1, Math.abs(base[i]));
        num[i] = (shifted(c, f, at, nameOf(w), i, h) - shifted(c, f, at, nameOf(w), i, -h)) / (2 * h);
        scale = Math.max(scale, Math.abs(num[i]));
      }
      numeric.add(num);
    }
    List<String> bad = new ArrayList<>();
    for (int k = 0; k < wrt.size(); k++) {
      String name = nameOf(wrt.get(k));
      NDArray sym = symbolic.get(name);
      double[] num = numeric.get(k);
      for (int i = 0; i < num.length; i++) {
        double s = sym == null ? 0 : sym.data()[i];
        double err = Math.abs(num[i] - s);
        if (!(err <= RTOL * (Math.abs(num[i]) + Math.abs(s)) + ATOL * scale)) {
          bad.add(String.format("d/d%s[%d]: numeric %.10g, symbolic %.10g%s", name, i, num[i], s,
              sym == null ? " (no gradient)" : ""));
        }
      }
    }
    if (!bad.isEmpty()) {
      fail(what + ": " + bad.size() + " entries differ at " + describe(at) + "\n  "
          + String.join("\n  ", bad.subList(0, Math.min(8, bad.size()))));
    }
  }

  private static double shifted(Built c, Node f, Map<String, NDArray> at, String name, int i, double h) {
    Map<String, NDArray> moved = new LinkedHashMap<>(at);
    NDArray v = at.get(name);
    double[] d = v.data().clone(); // data() is the backing array
    d[i] += h;
    moved.put(name, new NDArray(v.dtype(), v.shape(), d));
    return eval(c, f, moved).scalar();
  }

  static String describe(Map<String, NDArray> at) {
    StringBuilder sb = new StringBuilder();
    at.forEach((k, v) -> sb.append(k).append('=').append(Arrays.toString(v.data())).append(' '));
    return sb.toString().trim();
  }

  /**
   * ⟨t, vjp(c)⟩ = ⟨c, jvp(t)⟩: the vjp of a random cotangent c, dotted with a random tangent t,
   * equals c dotted with the directional derivative of the output along t (by central
   * differences of the whole output tensor).
   */
  static void checkVjpAgainstJvp(Built c, Map<String, NDArray> at, Random r) {
    IrBuilder b = c.b();
    Node cot = randomConstant(b, c.out(), r);
    Node lin = b.cast(sumAll(b, b.mul(cot, c.out())), DType.F64);
    List<Node> wrt = c.floatInputs();
    Map<Node, Node> vjp = Autodiff.grad(b, lin, wrt);
    double h = 1e-6;
    Map<String, NDArray> plus = new LinkedHashMap<>(at), minus = new LinkedHashMap<>(at);
    double tDotVjp = 0;
    for (Node w : wrt) {
      NDArray v = at.get(nameOf(w));
      double[] t = new double[v.size()], p = v.data().clone(), m = v.data().clone();
      for (int i = 0; i < t.length; i++) {
        t[i] = r.nextGaussian();
        p[i] += h * t[i];
        m[i] -= h * t[i];
      }
      plus.put(nameOf(w), new NDArray(v.dtype(), v.shape(), p));
      minus.put(nameOf(w), new NDArray(v.dtype(), v.shape(), m));
      Node g = vjp.get(w);
      if (g != null) {
        double[] gv = eval(c, g, at).data();
        for (int i = 0; i < t.length; i++) tDotVjp += t[i] * gv[i];
      }
    }
    double[] op = eval(c, c.out(), plus).data(), om = eval(c, c.out(), minus).data();
    double[] cv = eval(c, cot, at).data();
    double cDotJvp = 0;
    int[] map = broadcastMap(cv.length, op.length);
    for (int i = 0; i < op.length; i++) cDotJvp += cv[map[i]] * (op[i] - om[i]) / (2 * h);
    double scale = Math.max(1, Math.max(Math.abs(tDotVjp), Math.abs(cDotJvp)));
    assertEquals(cDotJvp, tDotVjp, 1e-6 * scale, "<t, vjp(c)> vs <c, jvp(t)> at " + describe(at));
  }

  /** Index into the cotangent constant: rows use a symbolic dimension only as the leading axis, which it broadcasts over. */
  private static int[] broadcastMap(int small, int big) {
    int[] m = new int[big];
    for (int i = 0; i < big; i++) m[i] = i % small;
    return m;
  }

  // ---- the whole check of one row -------------------------------------------------------------

  /** First and second order of {@code row} at {@code p} with objective {@code mode}. */
  static void check(Row row, Point p, Mode mode) {
    Built c = build(row);
    IrBuilder b = c.b();
    Map<String, NDArray> at = values(row, p);
    Random r = new Random(row.name().hashCode() * 31L + p.seed() * 7 + mode.ordinal());
    Node f = objective(c, mode, r);
    List<Node> wrt = c.floatInputs();
    String what = row.name() + " (" + p + ", " + mode + ")";

    Map<Node, Node> g1 = Autodiff.grad(b, f, wrt);
    for (Node w : wrt) {
      // With fan-out every input also feeds x*x, so only the plain objective shows which get none.
      boolean expectNone = mode == Mode.PLAIN && row.noGrad().contains(nameOf(w));
      assertEquals(!expectNone, g1.containsKey(w),
          what + ": " + nameOf(w) + (expectNone ? " must get no gradient" : " must get a gradient"));
    }
    GraphInvariants.check(what + " first order", f, g1, wrt);
    for (InputSpec s : row.inputs()) {
      if (!s.isFloat() && !s.isState()) {
        assertTrue(Autodiff.grad(b, f, List.of(c.inputs().get(s.name()))).isEmpty(),
            what + ": the " + s.type() + " input " + s.name() + " got a gradient");
      }
    }
    compare(what + " first order", c, f, g1, wrt, at);
    if (mode == Mode.PLAIN) checkVjpAgainstJvp(c, at, r);

    Node s = directional(b, g1, r);
    if (s == null) return;
    Map<Node, Node> g2 = Autodiff.grad(b, s, wrt);
    GraphInvariants.check(what + " second order", s, g2, wrt);
    compare(what + " second order (Hessian-vector product)", c, s, g2, wrt, at);
  }
}
