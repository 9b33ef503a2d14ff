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
import nnc.runtime.DType;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warmed-up training step of the MNIST MLP (matrix products in the runtime's GEMM, on one and
 * on two threads) allocates nothing: measured with the JVM's per-thread allocation counter, in
 * bytes, over many steps. It also computes what the allocating path computes, bit for bit.
 */
class AllocationFreeTrainingTest {
  @TempDir
  Path dir;

  @Test
  void warmedUpTrainingStepsAllocateNothing() throws Exception {
    Path file = Path.of("mnist_mlp.nn");
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "test", 0);
    Path jar = dir.resolve("mlp.jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long me = Thread.currentThread().threadId();
    Map<String, Tensor> in = RandomInputs.of(g, 8, 1);
    for (int t : new int[] {1, 2}) {
      try (NnModel m = NnModel.load(jar); NnModel reference = NnModel.load(jar)) {
        m.setThreads(t);
        Map<String, Tensor> out = Map.of("loss", Tensor.zeros(DType.F32));
        for (int i = 0; i < 3_000; i++) m.trainStep(in, out); // warm up: C2 compiles the step and the GEMM
        long before = threads.getThreadAllocatedBytes(me);
        for (int i = 0; i < 500; i++) m.trainStep(in, out);
        long bytes = threads.getThreadAllocatedBytes(me) - before;
        assertTrue(bytes < 10_000, t + " thread(s): " + bytes + " bytes allocated by 500 warmed-up training steps");
        for (int i = 0; i < 3_500; i++) reference.trainStep(in); // the same steps through the allocating path
        assertArrayEquals(reference.snapshot(), m.snapshot(), t + " thread(s)");
      }
    }
  }
}
