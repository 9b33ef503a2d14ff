package nnc.runtime.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import nnc.runtime.DType;
import nnc.runtime.ModelCode;
import nnc.runtime.Tensor;

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

  public Executor(Manifest manifest, ModelCode code, float[] p) {
    if (p.length != manifest.pSize()) throw new IllegalArgumentException("parameter arena of " + p.length + " floats, manifest says " + manifest.pSize());
    this.manifest = manifest;
    this.code = code;
    this.p = p;
  }

  public Manifest manifest() {
    return manifest;
  }

  /** The parameter arena (live: the training step updates it in place). */
  public float[] parameters() {
    return p;
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
    for (Manifest.Port in : entry.inputs()) copyIn(inputs.get(in.name()), m, plan.offsets()[in.buffer()]);
    code.call(index, p, m, rt);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Manifest.Port o : entry.outputs()) out.put(o.name(), copyOut(o, m, plan.offsets()[o.buffer()], dims));
    return out;
  }

  /** The workspace plan of an entry for a dimension binding (for reports and tests). */
  public ArenaPlanner.Plan plan(String entryName, Map<String, Integer> dims) {
    return ArenaPlanner.plan(manifest.entry(entryName).buffers(), dims);
  }

  private Map<String, Integer> bind(Manifest.Entry entry, Map<String, Tensor> inputs) {
    Map<String, Integer> dims = new LinkedHashMap<>();
    for (Manifest.Port in : entry.inputs()) {
      Tensor t = inputs.get(in.name());
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
