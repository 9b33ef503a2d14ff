package nnc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

/**
 * Training steps per CPU-second of a compiled model on one thread: the step in a loop after 4 s
 * of warm-up, best of 7 rounds of the thread's CPU time. On a machine shared with other busy
 * processes, wall-clock steps/s (nnc bench, bench/compare.sh) vary by several times; this does not
 * compare with PyTorch, but compares two builds of the runtime run one after the other.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
 *   nnc.bench.StepCpuTime bench/models/mlp.nn 64</pre>
 */
public final class StepCpuTime {
  private StepCpuTime() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "bench", 0);
    Path jar = Files.createTempFile("nnc-step", ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (NnModel m = NnModel.load(jar)) {
      m.setThreads(1);
      Map<String, Tensor> inputs = RandomInputs.of(g, batch, 1), loss = Map.of("loss", Tensor.zeros(DType.F32));
      // Long enough for C2 to compile the Vector API kernels (they run ~100x slower before).
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < 4_000_000_000L) m.trainStep(inputs, loss);
      int steps = Math.max(20, 20000 / batch);
      double best = Double.MAX_VALUE;
      for (int round = 0; round < 7; round++) {
        long c0 = mx.getCurrentThreadCpuTime();
        for (int s = 0; s < steps; s++) m.trainStep(inputs, loss);
        best = Math.min(best, (mx.getCurrentThreadCpuTime() - c0) / 1e9 / steps);
      }
      System.out.printf(Locale.ROOT, "%s batch %d: %.0f steps per CPU-second (%.1f us per step)%n",
          file.getFileName(), batch, 1 / best, best * 1e6);
    } finally {
      Files.deleteIfExists(jar);
    }
  }
}
