package nnc.compiler.cli;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.runtime.Tensor;
import nnc.runtime.kernels.Workers;
import nnc.runtime.model.ArenaPlanner;
import nnc.runtime.model.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Where the time of one call goes, kernel by kernel. It runs the entry's kernel methods itself, in
 * the generated code's order, timing each call; the ordinary call path ({@code ModelCode.call}) is
 * untouched, so profiling costs nothing when it is not asked for. After a warm-up long enough for
 * C2, it reports per kernel the median time over the measured calls, its share of the sum of
 * medians, and its kind and IR node, slowest first.
 */
@Command(name = "profile", description = "Time each kernel of an entry point (default: the training step) of a compiled model.")
final class ProfileCommand extends ModelCommand {
  @Option(names = "--batch", defaultValue = "64", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--entry", defaultValue = "train", description = "entry point to profile (default: ${DEFAULT-VALUE})")
  String entryName;

  @Option(names = "--threads", defaultValue = "1", description = "threads sharing the matrix products (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--calls", defaultValue = "200", description = "measured calls (default: ${DEFAULT-VALUE})")
  int calls;

  @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds before measuring (default: ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--wall", description = "time with the wall clock instead of the calling thread's CPU time (CPU time is the default"
      + " with one thread: on a loaded machine it leaves out the time other processes ran; with helper threads the wall clock is used)")
  boolean wall;

  @Option(names = "--top", defaultValue = "25", description = "kernels listed, slowest first (default: ${DEFAULT-VALUE}; 0: all)")
  int top;

  @Override
  int run(Graph g) throws IOException {
    if (batch < 1 || calls < 1 || threads < 1 || warmup < 0) throw new UserError("--batch, --calls and --threads must be positive");
    CompiledModel c = ModelCompiler.compile(g, java.nio.file.Files.readString(file), Version.get(), 0);
    Manifest.Entry entry = c.manifest().entry(entryName);
    if (entry == null) throw new UserError("model " + g.name() + " has no entry point '" + entryName + "'");
    byte[] bytes = AsmEmitter.emit(c.program());
    Class<?> code = define(c.program().className(), bytes);
    List<Manifest.KernelInfo> table = entry.kernelTable();
    Map<String, String> kinds = new HashMap<>();
    c.program().kernels().forEach(k -> kinds.put(k.name(), k.kind()));
    MethodHandle[] handles = handles(code, table);

    Map<String, Integer> dims = new HashMap<>();
    for (String d : c.manifest().dims()) dims.put(d, batch);
    ArenaPlanner.Plan plan = ArenaPlanner.plan(entry.buffers(), dims);
    int[] rt = new int[entry.rtBase() + plan.offsets().length];
    for (int i = 0; i < c.manifest().dims().size(); i++) rt[i] = batch;
    System.arraycopy(plan.offsets(), 0, rt, entry.rtBase(), plan.offsets().length);
    float[] p = c.pInit().clone();
    float[] m = new float[(int) plan.size()];
    Map<String, Tensor> inputs = nnc.compiler.autodiff.RandomInputs.of(g, batch, 1);
    for (Manifest.Port in : entry.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null) continue; // noise: zeros time the same
      int at = plan.offsets()[in.buffer()];
      for (int i = 0; i < t.size(); i++) m[at + i] = (float) t.getDouble(i);
    }

    long[][] times = new long[handles.length][calls];
    try (Workers w = threads == 1 ? null : new Workers(threads)) {
      Workers previous = Workers.bind(w);
      try {
        long end = System.nanoTime() + (long) (warmup * 1e9);
        do runAll(handles, p, m, rt, null, 0, false);
        while (System.nanoTime() < end);
        for (int call = 0; call < calls; call++) runAll(handles, p, m, rt, times, call, !wall && threads == 1);
        allocations = allocations(handles, p, m, rt);
        whole = wholeCalls(code, c.manifest().entries().indexOf(entry), p, m, rt);
      } finally {
        Workers.bind(previous);
      }
    }
    print(g, table, kinds, times);
    out().printf(Locale.ROOT, "  whole entry through ModelCode.call (%d calls, medians): %.1f us CPU time, %.1f us wall time; %.0f bytes allocated per call%n",
        calls, whole[0], whole[1], whole[2]);
    return 0;
  }

  /** Bytes each kernel allocates per call (a warmed-up kernel should allocate none: a boxed vector shows here). */
  private long[] allocations;

  private long[] allocations(MethodHandle[] handles, float[] p, float[] m, int[] rt) {
    com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) THREADS;
    long[] out = new long[handles.length];
    try {
      for (int k = 0; k < handles.length; k++) {
        long a0 = alloc.getCurrentThreadAllocatedBytes();
        handles[k].invokeExact(p, m, rt);
        out[k] = alloc.getCurrentThreadAllocatedBytes() - a0;
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return out;
  }

  /** Median CPU and wall microseconds of calls of the whole entry the way the runtime makes them. */
  private double[] whole;

  private double[] wholeCalls(Class<?> code, int entry, float[] p, float[] m, int[] rt) {
    nnc.runtime.ModelCode model;
    try {
      model = (nnc.runtime.ModelCode) code.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    long[] cpu = new long[calls], wallTimes = new long[calls];
    com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) THREADS;
    long a0 = alloc.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < calls; i++) {
      long c0 = THREADS.getCurrentThreadCpuTime(), w0 = System.nanoTime();
      model.call(entry, p, m, rt);
      cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
      wallTimes[i] = System.nanoTime() - w0;
    }
    double bytes = (alloc.getCurrentThreadAllocatedBytes() - a0) / (double) calls;
    Arrays.sort(cpu);
    Arrays.sort(wallTimes);
    return new double[] {cpu[calls / 2] / 1e3, wallTimes[calls / 2] / 1e3, bytes};
  }

  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  private static void runAll(MethodHandle[] handles, float[] p, float[] m, int[] rt, long[][] times, int call, boolean cpu) {
    try {
      for (int k = 0; k < handles.length; k++) {
        long s = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        handles[k].invokeExact(p, m, rt);
        if (times != null) times[k][call] = (cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - s;
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private void print(Graph g, List<Manifest.KernelInfo> table, Map<String, String> kinds, long[][] times) {
    record Row(int index, double medianUs, long bytes, String name, String kind, String describe) {}
    List<Row> rows = new ArrayList<>();
    double total = 0;
    for (int k = 0; k < times.length; k++) {
      long[] t = times[k].clone();
      Arrays.sort(t);
      double med = t[t.length / 2] / 1e3;
      total += med;
      Manifest.KernelInfo info = table.get(k);
      rows.add(new Row(k, med, allocations[k], info.name(), kinds.getOrDefault(info.name(), "?"), info.describe()));
    }
    Map<String, Double> byKind = new java.util.TreeMap<>();
    for (Row r : rows) byKind.merge(r.kind(), r.medianUs(), Double::sum);
    rows.sort((a, b) -> Double.compare(b.medianUs(), a.medianUs()));
    out().printf(Locale.ROOT, "profile %s %s: batch %d, %d thread%s, %d kernels, %d calls, %s; sum of medians %.1f us%n", g.name(), entryName,
        batch, threads, threads == 1 ? "" : "s", times.length, calls, !wall && threads == 1 ? "CPU time" : "wall time", total);
    out().printf(Locale.ROOT, "  %9s %6s %9s  %-4s %-12s %s%n", "us", "share", "bytes", "#", "kind", "kernel");
    int n = top == 0 ? rows.size() : Math.min(top, rows.size());
    for (Row r : rows.subList(0, n)) {
      out().printf(Locale.ROOT, "  %9.1f %5.1f%% %9d  %-4d %-12s %s%n", r.medianUs(), 100 * r.medianUs() / total, r.bytes(), r.index(), r.kind(),
          r.describe().length() > 110 ? r.describe().substring(0, 110) + "..." : r.describe());
    }
    out().println("  by kind:");
    double sum = total;
    byKind.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).forEach(e ->
        out().printf(Locale.ROOT, "  %9.1f %5.1f%%  %s%n", e.getValue(), 100 * e.getValue() / sum, e.getKey()));
  }

  private static Class<?> define(String className, byte[] bytes) {
    ClassLoader loader = new ClassLoader(ProfileCommand.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!name.equals(className)) throw new ClassNotFoundException(name);
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
    try {
      return loader.loadClass(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle[] handles(Class<?> code, List<Manifest.KernelInfo> table) {
    MethodType type = MethodType.methodType(void.class, float[].class, float[].class, int[].class);
    MethodHandle[] out = new MethodHandle[table.size()];
    for (int k = 0; k < out.length; k++) {
      try {
        out[k] = MethodHandles.publicLookup().findStatic(code, table.get(k).name(), type);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no kernel method " + table.get(k).name() + ": " + e);
      }
    }
    return out;
  }
}
