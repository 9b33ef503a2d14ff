package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.compiler.passes.Pipeline;
import nnc.runtime.DType;
import nnc.runtime.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample through the optimizer, forward and gradient graph: the verifier runs between
 * passes, the optimized IR matches its golden file ({@code NAME.opt.ir}, {@code NAME.grad.opt.ir}),
 * the optimized graph computes what the original does (interpreter in f64, relative 1e-5), and
 * the optimized gradient graph has fewer nodes than autodiff's.
 */
class OptimizedSamplesTest {
  static final double TOLERANCE = 1e-5;

  static Stream<String> samples() throws Exception {
    return SamplesTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void forwardGraph(String name) throws Exception {
    Graph g = SamplesTest.compile(name);
    Pipeline.Optimized o = Pipeline.standard().verifying().run(g);
    Golden.check(SamplesTest.SAMPLES.resolve("golden/" + name + ".opt.ir"), TextPrinter.print(o.graph()));
    assertSameResults(name, g, g.roots(), o.graph().roots());
    // Reshapes are views (no kernel, no buffer): the optimizer may add some (a keepdims reduction
    // becomes a reshape of the plain one, so that a mean and a variance share it) but never work.
    assertTrue(computing(o.graph().roots().values()) <= computing(g.roots().values()), o.report().table());
  }

  /** The nodes that compute something: every node but reshapes. */
  static long computing(java.util.Collection<Node> roots) {
    return nnc.compiler.ir.Graph.topoOrder(List.copyOf(roots)).stream()
        .filter(n -> !(n instanceof nnc.compiler.ir.Movement.Reshape)).count();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void gradientGraph(String name) throws Exception {
    Graph g = SamplesTest.compile(name);
    Map<String, Node> roots = GradientGraph.roots(g, List.of());
    Graph grad = g.withOutputs(roots);
    Pipeline.Optimized o = Pipeline.standard().verifying().run(grad);
    Graph opt = o.graph();
    Golden.check(SamplesTest.SAMPLES.resolve("golden/" + name + ".grad.opt.ir"), TextPrinter.print(opt, opt.outputs()));
    assertSameResults(name, g, roots, opt.outputs());
    assertTrue(o.report().after() < o.report().before(), "the gradient graph did not shrink:\n" + o.report().table());
  }

  /** Each root after optimization equals the root before, evaluated in f64 on random inputs. */
  static void assertSameResults(String name, Graph g, Map<String, Node> before, Map<String, Node> after) {
    assertEquals(before.keySet(), after.keySet());
    Map<String, NDArray> in = inputs(g, 3), params = Parameters.initial(g, 7);
    Map<String, NDArray> want = new Interpreter(g, in, params, true).run(before);
    Map<String, NDArray> got = new Interpreter(g, in, params, true).run(after);
    for (String k : want.keySet()) {
      double[] e = want.get(k).data(), a = got.get(k).data();
      assertEquals(e.length, a.length, name + " " + k);
      for (int i = 0; i < e.length; i++) {
        double err = Math.abs(e[i] - a[i]) / Math.max(Math.abs(e[i]), 1e-6);
        assertTrue(err <= TOLERANCE || Double.compare(e[i], a[i]) == 0,
            name + " " + k + "[" + i + "]: " + e[i] + " before optimization, " + a[i] + " after");
      }
    }
  }

  /** Random inputs at batch 5: floats normal, i32 labels 0 or 1 (every sample has at least two classes). */
  static Map<String, NDArray> inputs(Graph g, long seed) {
    Rng rng = new Rng(seed);
    Map<String, NDArray> in = new LinkedHashMap<>();
    for (Leaf.Input i : g.inputs()) {
      int[] shape = i.shape().dims().stream().mapToInt(d -> d instanceof Dim.Fixed f ? f.size() : 5).toArray();
      double[] v = new double[NDArray.size(shape)];
      for (int k = 0; k < v.length; k++) v[k] = i.dtype() == DType.I32 ? rng.nextInt(2) : rng.nextGaussian();
      in.put(i.name(), new NDArray(i.dtype(), shape, v));
    }
    return in;
  }
}
