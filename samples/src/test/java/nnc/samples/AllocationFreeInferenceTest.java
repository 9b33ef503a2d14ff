package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.autodiff.RandomInputs;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference into caller-provided outputs allocates nothing once warmed up: measured with the
 * JVM's per-thread allocation counter (bytes, not time), over many calls.
 */
class AllocationFreeInferenceTest {
  @TempDir
  Path dir;

  @Test
  void warmedUpInferenceAllocatesNothing() throws Exception {
    Path file = Path.of("xor.nn");
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 0);
    Path jar = dir.resolve("xor.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long me = Thread.currentThread().threadId();
    try (NnModel m = NnModel.load(jar)) {
      Map<String, Tensor> in = Map.of("x", RandomInputs.of(g, 4, 1).get("x"));
      Map<String, Tensor> out = Map.of("prob", Tensor.zeros(nnc.runtime.DType.F32, 4, 1));
      for (int i = 0; i < 30_000; i++) m.infer(in, out); // warm up: C2 compiles the call path
      long before = threads.getThreadAllocatedBytes(me);
      for (int i = 0; i < 10_000; i++) m.infer(in, out);
      long bytes = threads.getThreadAllocatedBytes(me) - before;
      assertTrue(bytes < 10_000, bytes + " bytes allocated by 10,000 warmed-up calls");
      assertArrayEquals(m.infer(in).get("prob").floats(), out.get("prob").floats());
    }
  }
}
