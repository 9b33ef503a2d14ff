package nnc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.runtime.DType;
import nnc.runtime.Rng;
import org.junit.jupiter.api.Test;

/**
 * Numerical stabilization: the rewritten IR of each fragile composition, and the values that
 * motivate it — evaluated in f32 as compiled code runs, before optimization they overflow to
 * inf or NaN, after it they are finite (and exact where the limit is exact).
 */
class StabilizeTest {
  @Test
  void logOfSoftmaxIsLogSoftmax() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input z
          %1 : f32[B,3] = log_softmax axis=1 %0
          output a = %1
        """, Opt.ir("""
        input z : f32[B, 3]
        p = softmax(z)
        output a = log(p)
        """));
  }

  @Test
  void everySpellingOfLogOnePlusExpIsOneSoftplus() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input z
          %1 : f32[B,3] = softplus %0
          output a = %1
          output b = %1
          output c = %1
        """, Opt.ir("""
        input z : f32[B, 3]
        output a = log(1 + exp(z))
        output b = log(exp(z) + 1)
        output c = log1p(exp(z))
        """));
  }

  @Test
  void logOfSumOfExpSubtractsTheMax() {
    assertEquals("""
        graph t
          %0 : f32[B,3] = input z
          %1 : f32[B] = reduce_max axes=[1] %0
          %2 : f32[B] = sub %1 %1
          %3 : bool[B] = eq %2 0
          %4 : f32[B] = where %3 %1 0
          %5 : f32[B] = stop_gradient %4
          %6 : f32[B,1] = reshape %5
          %7 : f32[B,3] = sub %0 %6
          %8 : f32[B,3] = exp %7
          %9 : f32[B] = reduce_sum axes=[1] %8
          %10 : f32[B] = log %9
          %11 : f32[B] = add %10 %5
          output a = %11
        """, Opt.ir("""
        input z : f32[B, 3]
        output a = log(sum(exp(z), axis = 1))
        """));
  }

  @Test
  void binaryCrossEntropyOfSigmoidIsTheLogitsForm() {
    Graph g = Opt.compile("""
        input z : f32[B, 3]
        input y : f32[B, 3]
        output a = binary_cross_entropy(sigmoid(z), y)
        output b = binary_cross_entropy_with_logits(z, y)
        """);
    Pipeline.Optimized o = Pipeline.standard().verifying().run(g);
    assertSame(o.graph().outputs().get("b"), o.graph().outputs().get("a"));
  }

  @Test
  void logOfSigmoidAndItsGradientHaveNoQuotient() {
    // d/dz log(sigmoid(z)) = (1 / p) * p * (1 - p): autodiff's quotient cancels against p.
    assertEquals("""
        graph t
          %0 : f32[B,3] = input x
          %1 : f32[3] = param w = ones
          %2 : f32[B,3] = mul %0 %1
          %3 : f32[B,3] = neg %2
          %4 : f32[B,3] = softplus %3
          %5 : f32[] = reduce_sum axes=[0,1] %4
          %6 : f32[B,3] = sigmoid %2
          %7 : f32[B,3] = sub %6 1
          %8 : f32[B,3] = mul %7 %0
          %9 : f32[3] = reduce_sum axes=[0] %8
          output loss = %5
          output grad.w = %9
        """, Opt.gradIr("""
        input x : f32[B, 3]
        param w : f32[3] = ones
        loss = -sum(log(sigmoid(x * w)))
        train minimize loss with sgd
        """));
  }

  @Test
  void gradientOfSoftplusAt100IsExactlyOne() {
    String src = """
        param x : f32[] = zeros
        loss = log(1 + exp(x))
        train minimize loss with sgd
        """;
    assertEquals("""
        graph t
          %0 : f32[] = param x = zeros
          %1 : f32[] = softplus %0
          %2 : f32[] = sigmoid %0
          output loss = %1
          output grad.x = %2
        """, Opt.gradIr(src));
    Graph grad = Opt.gradientGraph(Opt.compile(src));
    Map<String, NDArray> params = Map.of("x", scalar(100));
    assertTrue(Double.isNaN(f32(grad, grad.outputs(), Map.of(), params).get("grad.x").scalar()), "naively 0 * inf");
    Graph opt = Pipeline.standard().verifying().run(grad).graph();
    Map<String, NDArray> after = f32(opt, opt.outputs(), Map.of(), params);
    assertEquals(1.0, after.get("grad.x").scalar());
    assertEquals(100.0, after.get("loss").scalar());
    // In f64 too, where exp overflows later.
    assertEquals(1.0, new Interpreter(opt, Map.of(), Map.of("x", scalar(1000)), true).run(opt.outputs()).get("grad.x").scalar());
  }

  @Test
  void crossEntropyWrittenOnSoftmaxIsFiniteAtLogitsOf1e4() {
    String src = """
        input z : f32[B, 10]
        input y : f32[B, 10]
        param s : f32[] = ones
        loss = -sum(y * log(softmax(z * s)))
        train minimize loss with sgd
        """;
    Graph grad = Opt.gradientGraph(Opt.compile(src));
    Map<String, NDArray> in = Map.of("z", random(new int[] {4, 10}, 1e4, 1), "y", random(new int[] {4, 10}, 1, 2));
    Map<String, NDArray> params = Map.of("s", scalar(1));
    Map<String, NDArray> before = f32(grad, grad.outputs(), in, params);
    assertFalse(Double.isFinite(before.get("loss").scalar()), "log(0) naively");
    Graph opt = Pipeline.standard().verifying().run(grad).graph();
    assertAllFinite(f32(opt, opt.outputs(), in, params));
  }

  @Test
  void mnistMlpLossAndGradientsAreFiniteAtLogitsOf1e4() throws Exception {
    Graph g = Elaborator.compile(Path.of("../samples/mnist_mlp.nn"));
    Map<String, Node> roots = GradientGraph.roots(g, List.of());
    Pipeline.Optimized o = Pipeline.standard().verifying().run(g, roots);
    int batch = 4;
    Map<String, NDArray> in = Map.of("x", random(new int[] {batch, 784}, 1, 3),
        "y", new NDArray(DType.I32, new int[] {batch}, new double[] {0, 3, 7, 9}));
    Map<String, NDArray> params = new HashMap<>(Parameters.initial(g, 5));
    // Scale the last layer until the largest logit has magnitude 1e4.
    double largest = maxAbs(f32(g, Map.of("logits", g.values().get("logits")), in, params).get("logits"));
    NDArray w2 = params.get("W2");
    double[] scaled = w2.data().clone();
    for (int i = 0; i < scaled.length; i++) scaled[i] *= 1e4 / largest;
    params.put("W2", new NDArray(w2.dtype(), w2.shape(), scaled));
    assertTrue(maxAbs(f32(g, Map.of("logits", g.values().get("logits")), in, params).get("logits")) > 0.99e4);
    Map<String, NDArray> after = f32(o.graph(), o.roots(), in, params);
    assertEquals(roots.keySet(), after.keySet());
    assertAllFinite(after);
    assertTrue(after.get("loss").scalar() > 100, "confidently wrong: a large loss " + after.get("loss"));
  }

  @Test
  void binaryCrossEntropyOfSigmoidHasFiniteGradientsAtLogitsOf200() {
    String src = """
        input y : f32[4]
        param z : f32[4] = zeros
        loss = binary_cross_entropy(sigmoid(z), y)
        train minimize loss with sgd
        """;
    Graph grad = Opt.gradientGraph(Opt.compile(src));
    Map<String, NDArray> in = Map.of("y", vector(0, 1, 1, 0));
    Map<String, NDArray> params = Map.of("z", vector(200, -200, 200, -200));
    assertTrue(hasNaN(f32(grad, grad.outputs(), in, params).get("grad.z")), "0 / 0 naively");
    Graph opt = Pipeline.standard().verifying().run(grad).graph();
    Map<String, NDArray> after = f32(opt, opt.outputs(), in, params);
    // d/dz mean(BCE) = (sigmoid(z) - y) / n
    assertEquals(List.of(0.25, -0.25, 0.0, 0.0), toList(after.get("grad.z")));
    assertEquals(100.0, after.get("loss").scalar(), 1e-4); // (200 + 200 + 0 + 0) / 4
  }

  @Test
  void logSumExpAndItsGradientAreFiniteAtLogitsOf1e4() {
    String src = """
        input z : f32[B, 5]
        param s : f32[] = ones
        loss = sum(log(sum(exp(z * s), axis = 1)))
        train minimize loss with sgd
        """;
    Graph grad = Opt.gradientGraph(Opt.compile(src));
    Map<String, NDArray> in = Map.of("z", random(new int[] {3, 5}, 1e4, 4));
    Map<String, NDArray> params = Map.of("s", scalar(1));
    assertFalse(Double.isFinite(f32(grad, grad.outputs(), in, params).get("loss").scalar()));
    Graph opt = Pipeline.standard().verifying().run(grad).graph();
    assertAllFinite(f32(opt, opt.outputs(), in, params));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Map<String, NDArray> f32(Graph g, Map<String, Node> roots, Map<String, NDArray> in, Map<String, NDArray> params) {
    return new Interpreter(g, in, params, false).run(roots);
  }

  private static NDArray scalar(double v) {
    return new NDArray(DType.F32, new int[0], new double[] {v});
  }

  private static NDArray vector(double... v) {
    return new NDArray(DType.F32, new int[] {v.length}, v);
  }

  private static NDArray random(int[] shape, double scale, long seed) {
    Rng rng = new Rng(seed);
    double[] v = new double[NDArray.size(shape)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (scale * rng.nextGaussian());
    return new NDArray(DType.F32, shape, v);
  }

  private static double maxAbs(NDArray a) {
    double m = 0;
    for (double v : a.data()) m = Math.max(m, Math.abs(v));
    return m;
  }

  private static boolean hasNaN(NDArray a) {
    for (double v : a.data()) if (Double.isNaN(v)) return true;
    return false;
  }

  private static List<Double> toList(NDArray a) {
    return java.util.Arrays.stream(a.data()).boxed().toList();
  }

  private static void assertAllFinite(Map<String, NDArray> values) {
    values.forEach((k, v) -> {
      for (double d : v.data()) assertTrue(Double.isFinite(d), k + " has " + d);
    });
  }
}
