package nnc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.frontend.CompilationFailed;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.runtime.DType;
import nnc.runtime.Rng;

/**
 * The harness of the rule tests: compile a snippet, run the verifying pipeline on its forward or
 * gradient graph, check that the optimized graph computes what the original did (f64, random
 * inputs), and return the optimized IR without its source comments, for inline golden strings.
 */
final class Opt {
  static final int BATCH = 3;

  private Opt() {}

  static Graph compile(String text) {
    try {
      return Elaborator.compile(new SourceText("t.nn", text));
    } catch (CompilationFailed e) {
      throw new AssertionError("snippet does not compile:\n" + text + "\n" + e.render());
    }
  }

  /** The optimized forward graph of a snippet, printed without comments. */
  static String ir(String text) {
    Graph g = compile(text);
    Pipeline.Optimized o = Pipeline.standard().verifying().run(g);
    assertSameResults(g, g.roots(), o.graph(), o.graph().roots());
    return strip(TextPrinter.print(o.graph()));
  }

  /** The optimized gradient graph (objective and its gradients by parameter) of a snippet. */
  static String gradIr(String text) {
    Graph grad = gradientGraph(compile(text));
    Pipeline.Optimized o = Pipeline.standard().verifying().run(grad);
    assertSameResults(grad, grad.outputs(), o.graph(), o.graph().outputs());
    return strip(TextPrinter.print(o.graph(), o.graph().outputs()));
  }

  static Graph gradientGraph(Graph g) {
    return g.withOutputs(GradientGraph.roots(g, List.of()));
  }

  static String strip(String ir) {
    return ir.replaceAll(" *  # [^\n]*", "");
  }

  /** Random inputs for a graph: floats normal, i32 labels 0 or 1, symbolic dimensions {@link #BATCH}. */
  static Map<String, NDArray> inputs(Graph g, long seed) {
    Rng rng = new Rng(seed);
    Map<String, NDArray> in = new LinkedHashMap<>();
    for (Leaf.Input i : g.inputs()) {
      int[] shape = i.shape().dims().stream().mapToInt(d -> d instanceof Dim.Fixed f ? f.size() : BATCH).toArray();
      double[] v = new double[NDArray.size(shape)];
      for (int k = 0; k < v.length; k++) v[k] = i.dtype() == DType.I32 || i.dtype() == DType.BOOL ? rng.nextInt(2) : rng.nextGaussian();
      in.put(i.name(), new NDArray(i.dtype(), shape, v));
    }
    return in;
  }

  /** Every root of {@code after} equals the same root of {@code before} in f64, to a relative 1e-9. */
  static void assertSameResults(Graph before, Map<String, Node> rootsBefore, Graph after, Map<String, Node> rootsAfter) {
    assertEquals(rootsBefore.keySet(), rootsAfter.keySet());
    Map<String, NDArray> in = inputs(before, 11), params = Parameters.initial(before, 5);
    Map<String, NDArray> want = new Interpreter(before, in, params, true).run(rootsBefore);
    Map<String, NDArray> got = new Interpreter(after, in, params, true).run(rootsAfter);
    for (String k : want.keySet()) {
      double[] e = want.get(k).data(), a = got.get(k).data();
      assertEquals(e.length, a.length, k);
      for (int i = 0; i < e.length; i++) {
        boolean same = Double.compare(e[i], a[i]) == 0 || Math.abs(e[i] - a[i]) <= 1e-9 * Math.max(Math.abs(e[i]), 1e-3);
        assertTrue(same, k + "[" + i + "]: " + e[i] + " before optimization, " + a[i] + " after");
      }
    }
  }
}
