package nnc.compiler.backend.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.kernel.KernelInterpreter;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample, lowered to kernels and emitted as bytecode, computes what the kernel interpreter
 * computes through the runtime's executor: outputs of every entry and the parameters after two
 * training steps, for several batch sizes.
 */
class AsmSamplesTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("nnc.compiler.SampleFiles#names")
  void bytecodeMatchesTheKernelInterpreter(String name) throws Exception {
    Path file = nnc.compiler.SampleFiles.file(name);
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 3);
    ModelCode code = AsmEmitterTest.load(c.program());
    ModelCode reference = KernelInterpreter.code(c.program());
    for (int batch : new int[] {1, 3}) { // the kernel interpreter is slow on the MNIST shapes
      Executor got = new Executor(c.manifest(), code, c.pInit().clone());
      Executor want = new Executor(c.manifest(), reference, c.pInit().clone());
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, batch);
      for (int step = 0; step < 2; step++) {
        for (Manifest.Entry entry : c.manifest().entries()) {
          String where = name + " batch " + batch + " step " + step + " " + entry.name();
          Map<String, Tensor> a = got.run(entry.name(), inputs), b = want.run(entry.name(), inputs);
          for (String out : b.keySet()) assertClose(where + " " + out, b.get(out), a.get(out));
          float[] pw = want.parameters().clone(), pg = got.parameters().clone();
          assertClose(where + " parameters", Tensor.of(pw, pw.length), Tensor.of(pg, pg.length));
        }
      }
    }
  }

  /** Within 1e-4 of max(1, |expected|): vector sums over hundreds of lanes reorder rounding. */
  private static void assertClose(String what, Tensor expected, Tensor actual) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i), a = actual.getDouble(i);
      boolean ok = e == a || (Double.isNaN(e) && Double.isNaN(a)) || Math.abs(e - a) <= 1e-4 * Math.max(1, Math.abs(e));
      if (!ok) throw new AssertionError(what + "[" + i + "]: expected " + e + ", got " + a);
    }
  }
}
