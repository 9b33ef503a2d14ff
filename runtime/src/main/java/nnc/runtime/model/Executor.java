package nnc.runtime.model;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import nnc.runtime.DType;
import nnc.runtime.ModelCode;
import nnc.runtime.NonFiniteException;
import nnc.runtime.Tensor;
import nnc.runtime.kernels.Workers;

/**
 * Runs the entry points of compiled model code: checks the inputs against the manifest, binds
 * the symbolic dimensions, plans the workspace for that binding (once; plans are cached), copies
 * inputs in, calls the code and copies outputs out.
 *
 * <p>The parameter arena is shared; each thread gets its own workspace and run-time table
 * (reused across calls, so a warmed-up call allocates only its result tensors). Entry points that
 * write parameters (the training step) must be serialised by the caller.
 */
public final class Executor {
  private final Manifest manifest;
  private final ModelCode code;
  private final float[] p;
  private final Map<String, ArenaPlanner.Plan> plans = new ConcurrentHashMap<>();
  private final ThreadLocal<float[][]> workspaces = ThreadLocal.withInitial(() -> new float[1][0]);
  private volatile boolean nanGuard;
  /** Helper threads for large kernels, or null: one thread (see {@link #setThreads}). */
  private volatile Workers workers;
  /** Per entry index, the kernel methods in call order (looked up on first guarded call). */
  private final Map<Integer, MethodHandle[]> kernelHandles = new ConcurrentHashMap<>();

  public Executor(Manifest manifest, ModelCode code, float[] p) {
    if (p.length != manifest.pSize()) throw new IllegalArgumentException("parameter arena of " + p.length + " floats, manifest says " + manifest.pSize());
    this.manifest = manifest;
    this.code = code;
    this.p = p;
    this.callStates = ThreadLocal.withInitial(() -> new CallState[manifest.entries().size()]);
  }

  /**
   * Switches the NaN/Inf guard: when on, entries run kernel by kernel and every buffer a kernel
   * writes is scanned, and the first non-finite value throws {@link NonFiniteException} naming the
   * kernel's IR node and {@code .nn} line. Off (the default), entries run as one call, at no cost.
   */
  public void setNanGuard(boolean on) {
    nanGuard = on;
  }

  public boolean nanGuard() {
    return nanGuard;
  }

  /**
   * Splits the large kernels of each call (matrix products) between {@code threads} threads: the
   * caller and {@code threads - 1} helpers owned by this executor. Results are bit-identical for
   * any count. 1 (the default) uses the calling thread only and starts no thread.
   */
  public synchronized void setThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    if (threads == threads()) return;
    Workers old = workers;
    workers = threads == 1 ? null : new Workers(threads);
    if (old != null) old.close();
  }

  public int threads() {
    Workers w = workers;
    return w == null ? 1 : w.threads();
  }

  /** Stops the helper threads, if any. */
  public synchronized void close() {
    Workers old = workers;
    workers = null;
    if (old != null) old.close();
  }

  /** Calls the code with this executor's workers bound to the calling thread. */
  private void call(int index, float[] m, int[] rt) {
    Workers w = workers;
    if (w == null) {
      code.call(index, p, m, rt);
      return;
    }
    Workers previous = Workers.bind(w);
    try {
      code.call(index, p, m, rt);
    } finally {
      Workers.bind(previous);
    }
  }

  public Manifest manifest() {
    return manifest;
  }

  /** The parameter arena (live: the training step updates it in place). */
  public float[] parameters() {
    return p;
  }

  /** What one thread remembers of its last call of one entry: the dimension binding and its run-time table. */
  private static final class CallState {
    int[] dims;
    int[] rt;
    ArenaPlanner.Plan plan;
    final int[] scratch;

    CallState(int dims) {
      scratch = new int[dims];
    }
  }

  private final ThreadLocal<CallState[]> callStates;

  /**
   * Runs an entry point writing its outputs into caller-provided f32 tensors of the right shapes.
   * Once warmed up for a batch size, a call allocates nothing: the binding, plan, run-time table
   * and workspace of the thread's previous call are reused. Bad inputs or outputs throw
   * IllegalArgumentException (one line); the NaN/Inf guard, when on, takes the ordinary path.
   */
  public void runInto(String entryName, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    int index = manifest.entryIndex(entryName);
    if (index < 0) throw new IllegalArgumentException("model " + manifest.model() + " has no entry point '" + entryName + "'");
    Manifest.Entry entry = manifest.entries().get(index);
    CallState[] states = callStates.get();
    CallState st = states[index];
    if (st == null) st = states[index] = new CallState(manifest.dims().size());
    if (nanGuard || !bindFast(entry, inputs, st.scratch)) {
      Map<String, Tensor> out = run(entryName, inputs); // checks and reports, or runs guarded
      for (Map.Entry<String, Tensor> o : out.entrySet()) copyInto(o.getValue(), outputs.get(o.getKey()), o.getKey());
      return;
    }
    if (st.dims == null || !Arrays.equals(st.dims, st.scratch)) {
      Map<String, Integer> dims = bind(entry, inputs);
      st.plan = plans.computeIfAbsent(entryName + dims, k -> ArenaPlanner.plan(entry.buffers(), dims));
      st.rt = new int[entry.rtBase() + st.plan.offsets().length];
      System.arraycopy(st.scratch, 0, st.rt, 0, st.scratch.length);
      System.arraycopy(st.plan.offsets(), 0, st.rt, entry.rtBase(), st.plan.offsets().length);
      st.dims = st.scratch.clone();
    }
    float[][] holder = workspaces.get();
    if (holder[0].length < st.plan.size()) holder[0] = new float[(int) st.plan.size()];
    float[] m = holder[0];
    List<Manifest.Port> ins = entry.inputs();
    for (int i = 0; i < ins.size(); i++) copyIn(inputs.get(ins.get(i).name()), m, st.plan.offsets()[ins.get(i).buffer()]);
    call(index, m, st.rt);
    List<Manifest.Port> outs = entry.outputs();
    for (int i = 0; i < outs.size(); i++) {
      Manifest.Port o = outs.get(i);
      Tensor t = outputs.get(o.name());
      int n = expectedSize(o, st.scratch);
      if (t == null || t.dtype() != DType.F32 || t.size() != n) {
        throw new IllegalArgumentException("output " + o.name() + ": expected an f32 tensor of " + n + " elements to write into");
      }
      System.arraycopy(m, st.plan.offsets()[o.buffer()], t.floats(), 0, n);
    }
  }

  /** Binds the dimensions into {@code dims} without allocating; false when anything is off (the slow path reports it). */
  private boolean bindFast(Manifest.Entry entry, Map<String, Tensor> inputs, int[] dims) {
    Arrays.fill(dims, 1);
    List<Manifest.Port> ins = entry.inputs();
    for (int i = 0; i < ins.size(); i++) {
      Manifest.Port in = ins.get(i);
      if (in.isNoise()) return false;
      Tensor t = inputs.get(in.name());
      if (t == null || t.rank() != in.shape().size() || !t.dtype().languageName().equals(in.dtype())) return false;
      for (int a = 0; a < t.rank(); a++) {
        Object d = in.shape().get(a);
        if (d instanceof Integer fixed) {
          if (fixed != t.dim(a)) return false;
        } else {
          int slot = manifest.dims().indexOf(d);
          if (t.dim(a) < 1 || (dims[slot] != 1 && dims[slot] != t.dim(a))) return false;
          dims[slot] = t.dim(a);
        }
      }
    }
    return true;
  }

  private int expectedSize(Manifest.Port o, int[] dims) {
    int n = 1;
    for (int a = 0; a < o.shape().size(); a++) {
      Object d = o.shape().get(a);
      n *= d instanceof Integer fixed ? fixed : dims[manifest.dims().indexOf(d)];
    }
    return n;
  }

  private static void copyInto(Tensor from, Tensor to, String name) {
    if (to == null || to.dtype() != from.dtype() || to.size() != from.size()) {
      throw new IllegalArgumentException("output " + name + ": expected a " + from.dtype().languageName() + " tensor of "
          + from.size() + " elements to write into");
    }
    switch (from.dtype()) {
      case F32 -> System.arraycopy(from.floats(), 0, to.floats(), 0, from.size());
      case F64 -> System.arraycopy(from.doubles(), 0, to.doubles(), 0, from.size());
      case I32 -> System.arraycopy(from.ints(), 0, to.ints(), 0, from.size());
      case BOOL -> System.arraycopy(from.bools(), 0, to.bools(), 0, from.size());
    }
  }

  /** The generator of dropout's noise; its state belongs in checkpoints for bit-identical resumes. */
  private nnc.runtime.Rng noise = new nnc.runtime.Rng(0x6e6e63L);

  public synchronized long[] noiseState() {
    return noise.state();
  }

  public synchronized void restoreNoise(long[] state) {
    noise = nnc.runtime.Rng.restore(state);
  }

  private synchronized void fillNoise(Manifest.Port port, float[] m, int at, Map<String, Integer> dims) {
    int n = 1;
    for (Object d : port.shape()) n *= d instanceof Integer f ? f : dims.get((String) d);
    for (int i = 0; i < n; i++) m[at + i] = (float) noise.nextDouble();
  }

  /** Runs an entry point; throws IllegalArgumentException (one line) for bad inputs. */
  public Map<String, Tensor> run(String entryName, Map<String, Tensor> inputs) {
    int index = manifest.entryIndex(entryName);
    if (index < 0) throw new IllegalArgumentException("model " + manifest.model() + " has no entry point '" + entryName + "'");
    Manifest.Entry entry = manifest.entries().get(index);
    Map<String, Integer> dims = bind(entry, inputs);
    ArenaPlanner.Plan plan = plans.computeIfAbsent(entryName + dims, k -> ArenaPlanner.plan(entry.buffers(), dims));
    int[] rt = new int[entry.rtBase() + plan.offsets().length];
    for (int i = 0; i < manifest.dims().size(); i++) rt[i] = dims.get(manifest.dims().get(i));
    System.arraycopy(plan.offsets(), 0, rt, entry.rtBase(), plan.offsets().length);
    float[][] holder = workspaces.get();
    if (holder[0].length < plan.size()) holder[0] = new float[(int) plan.size()];
    float[] m = holder[0];
    boolean guard = nanGuard;
    // Guarded: regions no input fills hold what an earlier call left there; clear them so that a
    // kernel writing part of a buffer is not blamed for stale values.
    if (guard) Arrays.fill(m, 0, (int) plan.size(), 0f);
    for (Manifest.Port in : entry.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null && in.isNoise()) fillNoise(in, m, plan.offsets()[in.buffer()], dims);
      else copyIn(t, m, plan.offsets()[in.buffer()]);
    }
    if (guard) {
      Workers previous = Workers.bind(workers);
      try {
        runGuarded(index, entry, plan, dims, p, m, rt);
      } finally {
        Workers.bind(previous);
      }
    }
    else call(index, m, rt);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Manifest.Port o : entry.outputs()) out.put(o.name(), copyOut(o, m, plan.offsets()[o.buffer()], dims));
    return out;
  }

  private void runGuarded(int index, Manifest.Entry entry, ArenaPlanner.Plan plan, Map<String, Integer> dims, float[] p, float[] m, int[] rt) {
    List<Manifest.KernelInfo> table = entry.kernelTable();
    if (table.size() != entry.kernels()) {
      throw new IllegalStateException("model " + manifest.model() + " was compiled without a kernel table; recompile it to use the NaN/Inf guard");
    }
    MethodHandle[] handles = kernelHandles.computeIfAbsent(index, i -> lookup(table));
    int[] offsets = plan.offsets();
    for (Manifest.Port in : entry.inputs()) {
      scan(m, offsets[in.buffer()], size(entry.buffers().get(in.buffer()), dims), null, "input " + in.name());
    }
    for (Manifest.Slot s : manifest.params()) scan(p, s.offset(), s.size(), null, "parameter " + s.name());
    for (int k = 0; k < handles.length; k++) {
      try {
        handles[k].invokeExact(p, m, rt);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      Manifest.KernelInfo info = table.get(k);
      for (int b : info.writes()) scan(m, offsets[b], size(entry.buffers().get(b), dims), info.name(), info.describe());
      if (info.pAll()) scan(p, 0, p.length, info.name(), info.describe());
      for (String slot : info.pSlots()) {
        int[] at = pSlot(slot);
        scan(p, at[0], at[1], info.name(), info.describe());
      }
    }
  }

  private MethodHandle[] lookup(List<Manifest.KernelInfo> table) {
    MethodType type = MethodType.methodType(void.class, float[].class, float[].class, int[].class);
    MethodHandle[] out = new MethodHandle[table.size()];
    for (int k = 0; k < out.length; k++) {
      try {
        out[k] = MethodHandles.publicLookup().findStatic(code.getClass(), table.get(k).name(), type);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("model " + manifest.model() + ": no kernel method " + table.get(k).name() + " in its code (" + e + ")");
      }
    }
    return out;
  }

  /** Offset and size in P of a named slot: a parameter, constant, optimizer state or {@code hyper.NAME}. */
  private int[] pSlot(String name) {
    if (name.startsWith("hyper.")) {
      Manifest.Hyper h = manifest.hypers().get(name.substring("hyper.".length()));
      if (h != null) return new int[] {h.offset(), 1};
    }
    for (List<Manifest.Slot> list : List.of(manifest.params(), manifest.state(), manifest.constants())) {
      for (Manifest.Slot s : list) if (s.name().equals(name)) return new int[] {s.offset(), s.size()};
    }
    throw new IllegalStateException("model " + manifest.model() + ": its kernel table names an unknown slot " + name);
  }

  private static int size(Manifest.BufferSpec b, Map<String, Integer> dims) {
    long n = b.fixed();
    for (String d : b.dims()) n *= dims.get(d);
    return Math.toIntExact(n);
  }

  private static void scan(float[] a, int from, int n, String kernel, String describe) {
    for (int i = 0; i < n; i++) {
      float v = a[from + i];
      if (!Float.isFinite(v)) throw new NonFiniteException(kernel, describe, Float.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity", i);
    }
  }

  /** The workspace plan of an entry for a dimension binding (for reports and tests). */
  public ArenaPlanner.Plan plan(String entryName, Map<String, Integer> dims) {
    return ArenaPlanner.plan(manifest.entry(entryName).buffers(), dims);
  }

  private Map<String, Integer> bind(Manifest.Entry entry, Map<String, Tensor> inputs) {
    Map<String, Integer> dims = new LinkedHashMap<>();
    for (Manifest.Port in : entry.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null && in.isNoise()) continue;
      if (t == null) {
        throw new IllegalArgumentException(entry.name() + ": missing input '" + in.name() + "' (" + in.dtype() + shapeText(in.shape()) + ")");
      }
      DType want = DType.parse(in.dtype());
      if (t.dtype() != want) {
        throw new IllegalArgumentException("input " + in.name() + ": expected " + in.dtype() + ", got " + t.dtype().languageName());
      }
      int[] shape = t.shape();
      if (shape.length != in.shape().size()) {
        throw new IllegalArgumentException("input " + in.name() + ": expected shape " + shapeText(in.shape()) + ", got " + Tensor.shapeString(shape));
      }
      for (int i = 0; i < shape.length; i++) {
        Object d = in.shape().get(i);
        if (d instanceof Integer fixed && fixed != shape[i]) {
          throw new IllegalArgumentException("input " + in.name() + ": expected shape " + shapeText(in.shape()) + ", got " + Tensor.shapeString(shape));
        }
        if (d instanceof String sym) {
          Integer old = dims.putIfAbsent(sym, shape[i]);
          if (old != null && old != shape[i]) {
            throw new IllegalArgumentException("input " + in.name() + ": dimension " + sym + " is " + shape[i] + " here but " + old + " in another input");
          }
          if (shape[i] < 1) throw new IllegalArgumentException("input " + in.name() + ": dimension " + sym + " must be at least 1");
        }
      }
    }
    for (String d : manifest.dims()) dims.putIfAbsent(d, 1);
    return dims;
  }

  private static void copyIn(Tensor t, float[] m, int at) {
    switch (t.dtype()) {
      case F32 -> System.arraycopy(t.floats(), 0, m, at, t.size());
      case I32 -> {
        int[] v = t.ints();
        for (int i = 0; i < v.length; i++) m[at + i] = v[i];
      }
      case BOOL -> {
        boolean[] v = t.bools();
        for (int i = 0; i < v.length; i++) m[at + i] = v[i] ? 1 : 0;
      }
      case F64 -> throw new IllegalArgumentException("compiled models take f32 inputs, not f64");
    }
  }

  private static Tensor copyOut(Manifest.Port o, float[] m, int at, Map<String, Integer> dims) {
    int[] shape = new int[o.shape().size()];
    for (int i = 0; i < shape.length; i++) shape[i] = o.shape().get(i) instanceof Integer f ? f : dims.get((String) o.shape().get(i));
    int n = 1;
    for (int d : shape) n *= d;
    float[] v = Arrays.copyOfRange(m, at, at + n);
    return switch (DType.parse(o.dtype())) {
      case F32 -> Tensor.of(v, shape);
      default -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = v[i];
        yield Tensor.fromDoubles(DType.parse(o.dtype()), shape, d);
      }
    };
  }

  static String shapeText(List<Object> shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.size(); i++) sb.append(i > 0 ? "," : "").append(shape.get(i));
    return sb.append(']').toString();
  }
}
