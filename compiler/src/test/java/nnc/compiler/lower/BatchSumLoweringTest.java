package nnc.compiler.lower;

import static nnc.compiler.lower.LoweringTest.assertClose;
import static nnc.compiler.lower.LoweringTest.nd;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * A batched matmul summed over its batch axis is one {@link St.GemmSum} call (a convolution's
 * weight gradient, and the same pattern written by hand with each transposition), and computes
 * what the reference interpreter computes through both emitters; a product that is also used
 * elsewhere is stored as before.
 */
class BatchSumLoweringTest {
  private static final String SRC = """
      input x : f32[B, 2, 7, 8]
      input u : f32[B, 5, 9]
      input v : f32[B, 6, 9]
      input w : f32[B, 9, 6]
      input z : f32[B, 9, 5]
      param K : f32[3, 2, 3, 3] = normal(0, 0.5)
      param c : f32[3] = normal(0, 0.5)
      output y = conv2d(x, K, c, padding=1)
      output dots = sum(u @ transpose(v), axis=0)
      output plain = sum(transpose(z) @ w, axis=0)
      t = u @ w
      output kept = t
      output kept_sum = sum(t, axis=0)
      train minimize mean(y * y) with sgd(lr = 0.1)
      """;

  @Test
  void batchSumsAreOneKernelCallAndMatchTheInterpreter() throws Exception {
    Graph g = Elaborator.compile(new SourceText("batchsum.nn", SRC));
    CompiledModel c = ModelCompiler.compile(g, SRC, "test", 3);
    // infer: dots and plain (the kept product t is stored and summed by an ordinary reduction)
    assertEquals(2, gemmSums(c, ModelCompiler.INFER), "batch-summed products in infer");
    // train: the weight gradient of the convolution
    assertEquals(1, gemmSums(c, ModelCompiler.TRAIN), "batch-summed products in train");
    Map<String, NDArray> params = Parameters.initial(g, 3);
    Map<String, Node> gradRoots = GradientGraph.roots(g, List.of());
    for (String emitter : List.of("asm", "java")) {
      ModelCode code = emitter.equals("asm") ? define(c.program().className(), AsmEmitter.emit(c.program()))
          : JavaCompilation.load(c.program());
      for (int batch : new int[] {1, 4}) {
        String where = emitter + " batch " + batch;
        Executor ex = new Executor(c.manifest(), code, c.pInit().clone());
        Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, batch + 1);
        Map<String, NDArray> want = new Interpreter(g, nd(inputs), params, false).run(g.outputs());
        Map<String, Tensor> got = ex.run(ModelCompiler.INFER, inputs);
        for (String out : List.of("y", "dots", "plain", "kept", "kept_sum")) {
          assertClose(where + " " + out, want.get(out).data(), got.get(out), 1e-4);
        }
        Map<String, NDArray> grads = new Interpreter(g, nd(inputs), params, false).run(gradRoots);
        ex.run(ModelCompiler.TRAIN, inputs);
        for (Manifest.Slot slot : c.manifest().params()) {
          double[] p0 = params.get(slot.name()).data(), gr = grads.get("grad." + slot.name()).data();
          double[] expected = new double[p0.length];
          for (int i = 0; i < p0.length; i++) expected[i] = p0[i] - 0.1 * gr[i];
          assertClose(where + " updated " + slot.name(), expected,
              Tensor.of(java.util.Arrays.copyOfRange(ex.parameters(), slot.offset(), slot.offset() + slot.size()), p0.length), 1e-4);
        }
      }
    }
  }

  /** The GemmSum statements in the kernels of one entry. */
  private static int gemmSums(CompiledModel c, String entry) {
    List<String> names = c.program().entries().get(entry);
    int n = 0;
    for (Kernel k : c.program().kernels()) {
      if (names.contains(k.name())) n += count(k.body());
    }
    return n;
  }

  private static int count(List<? extends St> body) {
    int n = 0;
    for (St s : body) {
      if (s instanceof St.GemmSum) n++;
      if (s instanceof St.Loop l) n += count(l.body());
    }
    return n;
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
