package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
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
import nnc.compiler.kernel.KernelInterpreter;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lowering checked on its own: every sample's kernel program, run by the kernel interpreter
 * through the runtime's executor (inputs, memory plan, outputs), against the tensor interpreter.
 */
class LoweringTest {
  /** A ModelCode that runs the kernel program with the kernel interpreter. */
  static ModelCode interpreted(CompiledModel c) {
    return KernelInterpreter.code(c.program());
  }

  static Map<String, NDArray> nd(Map<String, Tensor> in) {
    Map<String, NDArray> out = new HashMap<>();
    in.forEach((k, v) -> out.put(k, NDArray.fromTensor(v)));
    return out;
  }

  static void assertClose(String what, double[] expected, Tensor actual, double tol) {
    assertClose(what, expected, actual, tol, new double[expected.length]);
  }

  /** As above, with an extra absolute allowance per element. */
  static void assertClose(String what, double[] expected, Tensor actual, double tol, double[] slack) {
    assertEquals(expected.length, actual.size(), what);
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual.getDouble(i);
      double err = (Math.abs(e - a) - slack[i]) / Math.max(1, Math.abs(e));
      assertTrue(err <= tol || (Double.isNaN(e) && Double.isNaN(a)), what + "[" + i + "]: expected " + e + ", got " + a);
    }
  }

  /** The `clip X` clause's factor min(1, X / (‖g‖ + 1e-6)) over every parameter's gradient, else 1. */
  private static double clipScale(Graph g, CompiledModel c, Map<String, NDArray> want) {
    if (!(g.train().options().get("clip") instanceof Number x)) return 1;
    double sq = 0;
    for (Manifest.Slot s : c.manifest().params()) for (double v : want.get("grad." + s.name()).data()) sq += v * v;
    return Math.min(1, x.doubleValue() / (Math.sqrt(sq) + 1e-6));
  }

  @ParameterizedTest
  @MethodSource("nnc.compiler.SampleFiles#names")
  void kernelsComputeWhatTheInterpreterComputes(String name) throws Exception {
    Graph g = Elaborator.compile(nnc.compiler.SampleFiles.file(name));
    CompiledModel c = ModelCompiler.compile(g, Files.readString(nnc.compiler.SampleFiles.file(name)), "test", 3);
    Map<String, NDArray> params = Parameters.initial(g, 3);
    for (int batch : new int[] {1, 7}) {
      Executor ex = new Executor(c.manifest(), interpreted(c), c.pInit().clone());
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, batch);
      if (c.manifest().entry(ModelCompiler.INFER) != null) {
        Map<String, Tensor> got = ex.run(ModelCompiler.INFER, inputs);
        Map<String, NDArray> want = new Interpreter(g, nd(inputs), params, false).run(g.outputs());
        for (String o : g.outputs().keySet()) assertClose(name + " " + o, want.get(o).data(), got.get(o), 1e-5);
      }
      if (c.manifest().entry(ModelCompiler.TRAIN) != null) {
        // the training step against the interpreter in training mode, with the same dropout noise
        Map<String, Node> roots = GradientGraph.roots(g, List.of());
        Map<String, Tensor> trainInputs = new java.util.LinkedHashMap<>(inputs);
        trainInputs.putAll(nnc.compiler.autodiff.RandomInputs.noise(roots.values(), batch, batch));
        Map<String, NDArray> want = new Interpreter(g, nd(trainInputs), params, false).training(true).run(roots);
        Map<String, Tensor> got = ex.run(ModelCompiler.TRAIN, trainInputs);
        assertClose(name + " loss", want.get("loss").data(), got.get("loss"), 1e-5);
        // After the first step, each parameter is p - lr * grad (sgd), or p - lr * g / (|g| + eps) (adam:
        // the bias-corrected moments of one step are g and g^2).
        Manifest.Hyper lr = c.manifest().hypers().get("lr");
        String opt = g.train().optimizer().name();
        double clip = clipScale(g, c, want);
        for (Manifest.Slot s : c.manifest().params()) {
          double[] p0 = params.get(s.name()).data(), gr = want.get("grad." + s.name()).data();
          double[] expected = new double[p0.length], slack = new double[p0.length];
          double largest = 0;
          for (double v : gr) largest = Math.max(largest, Math.abs(v * clip));
          for (int i = 0; i < p0.length; i++) {
            double gi = gr[i] * clip;
            double step = opt.equals("adam") ? gi / (Math.abs(gi) + 1e-8) : gi;
            expected[i] = (float) (p0[i] - (float) lr.initial() * step);
            // Adam's first step g / (|g| + eps) amplifies an error δ of a small g by eps / (|g| + eps)^2.
            // Both sides compute g in f32 in different orders; where terms cancel, δ is a rounding of the
            // tensor's largest gradient, so allow lr * 1e-4 * largest * eps / (|g| + eps)^2 there.
            double sensitivity = 1e-8 / Math.pow(Math.abs(gi) + 1e-8, 2);
            slack[i] = opt.equals("adam") ? lr.initial() * Math.min(2, 1e-4 * largest * sensitivity) : 0;
          }
          float[] p = ex.parameters();
          Tensor actual = Tensor.of(java.util.Arrays.copyOfRange(p, s.offset(), s.offset() + s.size()), p0.length);
          assertClose(name + " updated " + s.name(), expected, actual, 1e-5, slack);
        }
      }
    }
  }
}
