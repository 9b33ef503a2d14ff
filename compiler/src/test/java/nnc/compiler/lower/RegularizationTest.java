package nnc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.autodiff.RandomInputs;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Global-norm clipping, L1/L2 terms and loss scaling compiled into the step, against the formula. */
class RegularizationTest {
  static final String MODEL = """
      input x : f32[B, 3]
      input y : i32[B]
      param W : f32[3, 2] = normal(0, 0.5)
      param b : f32[2] = constant(0.3)
      logits = x @ W + b
      loss = cross_entropy(logits, y)
      train minimize loss with sgd(lr = 0.1) %s
      """;

  @ParameterizedTest
  @CsvSource({"clip 0.05, 0.05, 0, 0", "clip 100, 100, 0, 0", "l2 0.01, 0, 0.01, 0", "l1 0.001, 0, 0, 0.001",
      "clip 0.05 l2 0.01 l1 0.001, 0.05, 0.01, 0.001", "loss_scale 1024, 0, 0, 0", "loss_scale 512 clip 0.05, 0.05, 0, 0"})
  void oneStepFollowsTheFormula(String clauses, double clip, double l2, double l1) throws Exception {
    Graph g = Elaborator.compile(new SourceText("reg.nn", MODEL.formatted(clauses)));
    CompiledModel c = ModelCompiler.compile(g, MODEL, "test", 4);
    Map<String, Tensor> inputs = RandomInputs.of(g, 5, 9);
    Map<String, NDArray> nd = new HashMap<>();
    inputs.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
    Map<String, NDArray> params = Parameters.initial(g, 4);
    Map<String, NDArray> grads = new Interpreter(g, nd, params, false).run(GradientGraph.roots(g, List.of()));
    double norm2 = 0;
    for (String p : List.of("W", "b")) for (double v : grads.get("grad." + p).data()) norm2 += v * v;
    double factor = clip > 0 ? Math.min(1, clip / (Math.sqrt(norm2) + 1e-6)) : 1;

    Executor ex = new Executor(c.manifest(), LoweringTest.interpreted(c), c.pInit().clone());
    ex.run(ModelCompiler.TRAIN, inputs);
    for (Manifest.Slot s : c.manifest().params()) {
      double[] w = params.get(s.name()).data(), gr = grads.get("grad." + s.name()).data();
      for (int i = 0; i < w.length; i++) {
        double step = gr[i] * factor + l2 * w[i] + l1 * Math.signum(w[i]);
        assertEquals(w[i] - 0.1 * step, ex.parameters()[s.offset() + i], 1e-6, s.name() + "[" + i + "] with " + clauses);
      }
    }
  }
}
