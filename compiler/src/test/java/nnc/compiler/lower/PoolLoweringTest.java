package nnc.compiler.lower;

import static nnc.compiler.lower.LoweringTest.assertClose;
import static nnc.compiler.lower.LoweringTest.nd;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaCompilation;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.frontend.SourceText;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.api.Test;

/**
 * Pooling reductions and masks lowered as one vector loop over the flattened positions
 * ({@link Pools}): max, average and a 3x3 max with padding, on ReLU outputs full of exact zeros so
 * that windows tie; the per-position bias t (zero at first) receives the gradient of exactly the
 * window elements the masks pick, so after one SGD step t shows whether the compiled mask picked
 * the first maximum, as the interpreter does. Both emitters, against the reference interpreter.
 */
class PoolLoweringTest {
  private static final String SRC = """
      input x : f32[B, 3, 6, 8]
      param s : f32[3, 1, 1] = normal(0, 1)
      param t : f32[6, 8] = zeros
      r = relu(x * s) + t
      output mp = max_pool2d(r, 2)
      output ap = avg_pool2d(r, [2, 4])
      output mp3 = max_pool2d(r, 3, stride=1, padding=1)
      train minimize mean(mp) + mean(ap * ap) + mean(mp3) with sgd(lr = 0.5)
      """;

  @Test
  void poolsAreVectorLoopsOverPositionsAndMatchTheInterpreter() throws Exception {
    Graph g = Elaborator.compile(new SourceText("pools.nn", SRC));
    CompiledModel c = ModelCompiler.compile(g, SRC, "test", 3);
    assertTrue(positionLoops(c, ModelCompiler.INFER) >= 3, "pooling reductions as position loops in infer");
    assertTrue(positionLoops(c, ModelCompiler.TRAIN) >= 5, "pooling reductions and masks as position loops in train");
    Map<String, NDArray> params = Parameters.initial(g, 3);
    Map<String, Node> gradRoots = GradientGraph.roots(g, List.of());
    for (String emitter : List.of("asm", "java")) {
      ModelCode code = emitter.equals("asm") ? define(c.program().className(), AsmEmitter.emit(c.program()))
          : JavaCompilation.load(c.program());
      for (int batch : new int[] {1, 5}) {
        String where = emitter + " batch " + batch;
        Executor ex = new Executor(c.manifest(), code, c.pInit().clone());
        Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, batch + 7);
        Map<String, NDArray> want = new Interpreter(g, nd(inputs), params, false).run(g.outputs());
        Map<String, Tensor> got = ex.run(ModelCompiler.INFER, inputs);
        for (String out : List.of("mp", "ap", "mp3")) assertClose(where + " " + out, want.get(out).data(), got.get(out), 1e-5);
        Map<String, NDArray> grads = new Interpreter(g, nd(inputs), params, false).run(gradRoots);
        ex.run(ModelCompiler.TRAIN, inputs);
        for (Manifest.Slot slot : c.manifest().params()) {
          double[] p0 = params.get(slot.name()).data(), gr = grads.get("grad." + slot.name()).data();
          double[] expected = new double[p0.length];
          for (int i = 0; i < p0.length; i++) expected[i] = p0[i] - 0.5 * gr[i];
          assertClose(where + " updated " + slot.name(), expected,
              Tensor.of(java.util.Arrays.copyOfRange(ex.parameters(), slot.offset(), slot.offset() + slot.size()), p0.length), 1e-5);
        }
      }
    }
  }

  /** Kernels of an entry with a vector loop over flattened pooling positions. */
  private static int positionLoops(CompiledModel c, String entry) {
    List<String> names = c.program().entries().get(entry);
    int n = 0;
    for (Kernel k : c.program().kernels()) if (names.contains(k.name()) && hasPositionLoop(k.body())) n++;
    return n;
  }

  private static boolean hasPositionLoop(List<? extends St> body) {
    for (St s : body) {
      if (s instanceof St.ElementLoop l && l.var().equals("pos")) return true;
      if (s instanceof St.Loop l && hasPositionLoop(l.body())) return true;
    }
    return false;
  }

  private static ModelCode define(String className, byte[] bytes) throws ReflectiveOperationException {
    AsmEmitter.verify(bytes);
    ClassLoader loader = new ClassLoader(ModelCode.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        if (!n.equals(className)) throw new ClassNotFoundException(n);
        return defineClass(n, bytes, 0, bytes.length);
      }
    };
    return (ModelCode) loader.loadClass(className).getConstructor().newInstance();
  }
}
