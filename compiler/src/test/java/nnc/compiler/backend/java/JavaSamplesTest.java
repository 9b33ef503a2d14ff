package nnc.compiler.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two emitters agree on every sample: the JavaPoet source, compiled by javac, and the ASM
 * bytecode of the same kernel program give the same outputs for every entry and the same
 * parameters after training steps. Both emit the same operations in the same order, but they
 * need not agree to the last bit: until C2 compiles a kernel, the Vector API runs its Java
 * fallbacks, which round transcendental functions and order lane reductions differently from the
 * intrinsics, and each class warms up on its own.
 */
class JavaSamplesTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("nnc.compiler.SampleFiles#names")
  void javaSourceAgreesWithTheBytecode(String name) throws Exception {
    Path file = nnc.compiler.SampleFiles.file(name);
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 3);
    ModelCode java = JavaCompilation.load(c.program());
    ModelCode asm = nnc.compiler.backend.Emitters.asm(c.program());
    for (int batch : new int[] {1, 3, 17}) {
      Executor fromJava = new Executor(c.manifest(), java, c.pInit().clone());
      Executor fromAsm = new Executor(c.manifest(), asm, c.pInit().clone());
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, batch);
      for (int step = 0; step < 2; step++) {
        for (Manifest.Entry entry : c.manifest().entries()) {
          String where = name + " batch " + batch + " step " + step + " " + entry.name();
          Map<String, Tensor> a = fromJava.run(entry.name(), inputs), b = fromAsm.run(entry.name(), inputs);
          for (String out : b.keySet()) assertClose(where + " " + out, b.get(out), a.get(out));
          float[] pa = fromJava.parameters().clone(), pb = fromAsm.parameters().clone();
          assertClose(where + " parameters", Tensor.of(pb, pb.length), Tensor.of(pa, pa.length));
        }
      }
    }
  }

  /** Within 1e-4 of max(1, |expected|), as the bytecode is held to against the interpreter. */
  private static void assertClose(String what, Tensor expected, Tensor actual) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i), a = actual.getDouble(i);
      boolean ok = e == a || Double.isNaN(e) && Double.isNaN(a) || Math.abs(e - a) <= 1e-4 * Math.max(1, Math.abs(e));
      if (!ok) throw new AssertionError(what + "[" + i + "]: bytecode " + e + ", Java source " + a);
    }
  }
}
