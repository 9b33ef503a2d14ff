package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of a compiled model on this machine: inference and training steps per second at a
 * batch size, after a warm-up long enough for C2 to compile the Vector API loops. The baseline,
 * run in the same process, is the reference interpreter doing the same work.
 */
@Command(name = "bench", description = "Measure compiled inference and training-step throughput (and the interpreter as a baseline).")
final class BenchCommand extends ModelCommand {
  @Option(names = "--batch", defaultValue = "64", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--seconds", defaultValue = "3", description = "measuring time per figure (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds before measuring (default: ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--threads", defaultValue = "1", description = "threads (only 1 is supported so far)")
  int threads;

  @Override
  int run(Graph g) throws IOException {
    if (threads != 1) throw new UserError("--threads: only single-threaded kernels exist so far");
    if (batch < 1) throw new UserError("--batch must be positive");
    long t0 = System.nanoTime();
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), Version.get(), 0);
    byte[] bytes = AsmEmitter.emit(c.program());
    AsmEmitter.verify(bytes);
    double compileMs = (System.nanoTime() - t0) / 1e6;
    Path jar = Files.createTempFile("nnc-bench", ".jar");
    try {
      ModelJar.write(jar, c, Map.of(c.program().className(), bytes), Files.readString(file));
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, 1);
      out().printf("bench %s: batch %d, 1 thread, JDK %s%n", g.name(), batch, Runtime.version());
      out().printf("  compile (parse, lower, emit, verify; in process): %.0f ms%n", compileMs);
      try (NnModel m = NnModel.load(jar)) {
        if (m.manifest().entry("infer") != null) {
          Map<String, Tensor> x = new LinkedHashMap<>();
          m.manifest().entry("infer").inputs().forEach(p -> x.put(p.name(), inputs.get(p.name())));
          report("inference", measure(() -> m.infer(x)));
        }
        if (m.manifest().entry("train") != null) {
          double[] compiled = measure(() -> m.trainStep(inputs));
          report("train step", compiled);
          double interp = interpreterStep(g, inputs);
          out().printf("  baseline: reference interpreter train step %.1f ms; compiled is %.0fx faster%n", interp * 1e3, interp / median(compiled));
        }
      }
    } finally {
      Files.deleteIfExists(jar);
    }
    return 0;
  }

  private void report(String what, double[] times) {
    double med = median(times);
    out().printf("  %-10s median %8.1f us/call  %9.1f calls/s  %10.0f samples/s  (%d calls)%n", what, med * 1e6, 1 / med, batch / med, times.length);
  }

  /** Per-call times in seconds over the measuring window, after warm-up. */
  private double[] measure(Runnable call) {
    long end = System.nanoTime() + (long) (warmup * 1e9);
    while (System.nanoTime() < end) call.run();
    double[] times = new double[1 << 20];
    int n = 0;
    end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end && n < times.length) {
      long s = System.nanoTime();
      call.run();
      times[n++] = (System.nanoTime() - s) / 1e9;
    }
    return Arrays.copyOf(times, n);
  }

  private double interpreterStep(Graph g, Map<String, Tensor> inputs) {
    Map<String, NDArray> nd = new LinkedHashMap<>();
    inputs.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
    Map<String, NDArray> params = Parameters.initial(g, 0);
    var roots = nnc.compiler.autodiff.GradientGraph.roots(g, java.util.List.of());
    double[] t = new double[3];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      new Interpreter(g, nd, params, false).run(roots);
      t[i] = (System.nanoTime() - s) / 1e9;
    }
    return median(t);
  }

  private static double median(double[] t) {
    double[] s = t.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
