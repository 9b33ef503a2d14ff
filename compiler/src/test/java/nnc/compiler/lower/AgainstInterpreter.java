package nnc.compiler.lower;

import static nnc.compiler.lower.LoweringTest.assertClose;
import static nnc.compiler.lower.LoweringTest.nd;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.autodiff.RandomInputs;
import nnc.compiler.backend.Emitters;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;

/**
 * The check the kernel tests share: through both emitters and at each batch size, the inference
 * outputs equal the reference interpreter's, and one SGD training step moves every parameter to
 * p − lr·∇p with the interpreter's gradient (so backward kernels are checked too).
 */
final class AgainstInterpreter {
  private AgainstInterpreter() {}

  /** {@code lr} must be the model's SGD step; inputs are drawn with seed batch + {@code seed}. */
  static void check(Graph g, CompiledModel c, List<String> outputs, double lr, double tolerance, int seed, int... batches)
      throws ReflectiveOperationException {
    Map<String, NDArray> params = Parameters.initial(g, 3);
    Map<String, Node> gradRoots = GradientGraph.roots(g, List.of());
    for (String emitter : Emitters.BOTH) {
      ModelCode code = Emitters.load(emitter, c.program());
      for (int batch : batches) {
        String where = emitter + " batch " + batch;
        Executor ex = new Executor(c.manifest(), code, c.pInit().clone());
        Map<String, Tensor> inputs = RandomInputs.of(g, batch, batch + seed);
        Map<String, NDArray> want = new Interpreter(g, nd(inputs), params, false).run(g.outputs());
        Map<String, Tensor> got = ex.run(ModelCompiler.INFER, inputs);
        for (String out : outputs) assertClose(where + " " + out, want.get(out).data(), got.get(out), tolerance);
        Map<String, NDArray> grads = new Interpreter(g, nd(inputs), params, false).run(gradRoots);
        ex.run(ModelCompiler.TRAIN, inputs);
        for (Manifest.Slot slot : c.manifest().params()) {
          double[] p0 = params.get(slot.name()).data(), gr = grads.get("grad." + slot.name()).data();
          double[] expected = new double[p0.length];
          for (int i = 0; i < p0.length; i++) expected[i] = p0[i] - lr * gr[i];
          float[] after = Arrays.copyOfRange(ex.parameters(), slot.offset(), slot.offset() + slot.size());
          assertClose(where + " updated " + slot.name(), expected, Tensor.of(after, p0.length), tolerance);
        }
      }
    }
  }
}
