package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.DType;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of a compiled model on this machine. After a warm-up long enough for C2 to compile
 * the Vector API loops (they run ~300x slower before), it measures {@code --runs} windows of
 * {@code --seconds / --runs} each and reports the median, minimum and maximum over the windows of
 * training steps per second and inference calls per second at {@code --batch}, and of the
 * latency of single inference calls at batch 1. Inputs are random (seeded), calls are
 * allocation-free where the runtime offers it ({@code NnModel.infer(inputs, outputs)}).
 */
@Command(name = "bench", description = "Measure compiled training-step and inference throughput, and batch-1 latency.")
final class BenchCommand extends ModelCommand {
  @Option(names = "--batch", defaultValue = "64", description = "batch size of the throughput figures (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--threads", defaultValue = "1", description = "threads sharing each call's matrix products (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--seconds", defaultValue = "3", description = "measuring time per figure (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--runs", defaultValue = "7", description = "measuring windows per figure; median, min and max are over these (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds before measuring (default: ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--json", description = "print one JSON object instead of the table")
  boolean json;

  @Option(names = "--baseline", description = "also time one training step of the reference interpreter (slow for big models)")
  boolean baseline;

  /** Median, minimum and maximum of one figure over the measuring windows. */
  record Stat(double median, double min, double max, int runs) {
    static Stat of(double[] v) {
      double[] s = v.clone();
      Arrays.sort(s);
      int n = s.length;
      double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      return new Stat(med, s[0], s[n - 1], n);
    }

    Map<String, Object> json() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("median", round(median));
      o.put("min", round(min));
      o.put("max", round(max));
      o.put("runs", runs);
      return o;
    }

    private static double round(double v) {
      return Math.round(v * 100) / 100.0;
    }
  }

  @Override
  int run(Graph g) throws IOException {
    if (batch < 1) throw new UserError("--batch must be positive");
    if (threads < 1) throw new UserError("--threads must be at least 1");
    if (runs < 1) throw new UserError("--runs must be positive");
    if (!(seconds > 0) || warmup < 0) throw new UserError("--seconds must be positive and --warmup not negative");
    long t0 = System.nanoTime();
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), Version.get(), 0);
    byte[] bytes = AsmEmitter.emit(c.program());
    AsmEmitter.verify(bytes);
    double compileMs = (System.nanoTime() - t0) / 1e6;
    Path jar = Files.createTempFile("nnc-bench", ".jar");
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", g.name());
    report.put("batch", batch);
    report.put("threads", threads);
    report.put("jdk", Runtime.version().toString());
    report.put("compile_ms", Math.round(compileMs));
    try {
      ModelJar.write(jar, c, Map.of(c.program().className(), bytes), Files.readString(file));
      Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, 1);
      Map<String, Tensor> single = nnc.compiler.autodiff.RandomInputs.of(g, 1, 2);
      try (NnModel m = NnModel.load(jar)) {
        m.setThreads(threads);
        Stat train = null, infer = null, latency = null;
        if (m.manifest().entry("train") != null) {
          Map<String, Tensor> loss = Map.of("loss", Tensor.zeros(DType.F32));
          Runnable step = () -> m.trainStep(inputs, loss); // allocation-free once warm
          warm(step);
          train = Stat.of(rates(step));
        }
        if (m.manifest().entry("infer") != null) {
          Runnable call = inferCall(m, inputs);
          warm(call);
          infer = Stat.of(rates(call));
          Runnable one = inferCall(m, single);
          warm(one);
          latency = Stat.of(latencies(one));
        }
        report.put("train_steps_per_s", train == null ? null : train.json());
        report.put("infer_steps_per_s", infer == null ? null : infer.json());
        report.put("latency_us_batch1", latency == null ? null : latency.json());
        if (train != null) report.put("train_samples_per_s", Math.round(train.median() * batch));
        if (baseline && train != null) report.put("interpreter_step_ms", Math.round(interpreterStep(g, inputs) * 1e4) / 10.0);
        if (json) out().println(Json.write(report));
        else print(g, compileMs, train, infer, latency, report);
      }
    } finally {
      Files.deleteIfExists(jar);
    }
    return 0;
  }

  private void print(Graph g, double compileMs, Stat train, Stat infer, Stat latency, Map<String, Object> report) {
    out().printf(Locale.ROOT, "bench %s: batch %d, %d thread%s, JDK %s%n", g.name(), batch, threads, threads == 1 ? "" : "s", Runtime.version());
    out().printf(Locale.ROOT, "  compile (parse, lower, emit, verify; in process): %.0f ms%n", compileMs);
    out().printf(Locale.ROOT, "  %-28s %10s %10s %10s%n", "", "median", "min", "max");
    if (train != null) row("train steps/s (batch " + batch + ")", train);
    if (infer != null) row("inference calls/s (batch " + batch + ")", infer);
    if (latency != null) row("latency us (batch 1)", latency);
    if (report.containsKey("interpreter_step_ms")) {
      out().printf(Locale.ROOT, "  baseline: reference interpreter train step %s ms%n", report.get("interpreter_step_ms"));
    }
  }

  private void row(String what, Stat s) {
    out().printf(Locale.ROOT, "  %-28s %10.1f %10.1f %10.1f   (%d runs)%n", what, s.median(), s.min(), s.max(), s.runs());
  }

  /** Allocation-free inference into reused output tensors. */
  private static Runnable inferCall(NnModel m, Map<String, Tensor> all) {
    Map<String, Tensor> x = new LinkedHashMap<>();
    m.manifest().entry("infer").inputs().forEach(p -> x.put(p.name(), all.get(p.name())));
    int b = x.values().iterator().next().rank() > 0 ? x.values().iterator().next().dim(0) : 1;
    Map<String, Tensor> outs = new LinkedHashMap<>();
    for (var o : m.manifest().entry("infer").outputs()) {
      int[] shape = o.shape().stream().mapToInt(d -> d instanceof Integer i ? i : b).toArray();
      if (DType.parse(o.dtype()) != DType.F32) return () -> m.infer(x); // the allocation-free path writes f32 only
      outs.put(o.name(), Tensor.zeros(DType.F32, shape));
    }
    return () -> m.infer(x, outs);
  }

  private void warm(Runnable call) {
    long end = System.nanoTime() + (long) (warmup * 1e9);
    do call.run();
    while (System.nanoTime() < end);
  }

  /** Calls per second in each of {@link #runs} windows. */
  private double[] rates(Runnable call) {
    double[] out = new double[runs];
    long window = (long) (seconds / runs * 1e9);
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime(), end = start + window, now;
      int n = 0;
      do {
        call.run();
        n++;
      } while ((now = System.nanoTime()) < end);
      out[r] = n / ((now - start) / 1e9);
    }
    return out;
  }

  /** The median single-call latency (microseconds) in each of {@link #runs} windows. */
  private double[] latencies(Runnable call) {
    double[] out = new double[runs];
    long window = (long) (seconds / runs * 1e9);
    long[] times = new long[1 << 16];
    for (int r = 0; r < runs; r++) {
      long end = System.nanoTime() + window;
      int n = 0;
      while (n < times.length) {
        long s = System.nanoTime();
        call.run();
        long e = System.nanoTime();
        times[n++] = e - s;
        if (e >= end) break;
      }
      long[] t = Arrays.copyOf(times, n);
      Arrays.sort(t);
      out[r] = t[n / 2] / 1e3;
    }
    return out;
  }

  private double interpreterStep(Graph g, Map<String, Tensor> inputs) {
    Map<String, NDArray> nd = new LinkedHashMap<>();
    inputs.forEach((k, v) -> nd.put(k, NDArray.fromTensor(v)));
    Map<String, NDArray> params = Parameters.initial(g, 0);
    var roots = nnc.compiler.autodiff.GradientGraph.roots(g, java.util.List.of());
    long s = System.nanoTime();
    new Interpreter(g, nd, params, false).run(roots);
    return (System.nanoTime() - s) / 1e9;
  }
}
