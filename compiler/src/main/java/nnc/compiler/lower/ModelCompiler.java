package nnc.compiler.lower;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Numbering;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.Program;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.compiler.passes.Pipeline;
import nnc.runtime.DType;
import nnc.runtime.model.Manifest;

/**
 * Lowers a model to a kernel program with up to three entry points: {@code infer} (the outputs)
 * and, when the model has a train objective, {@code train} (the objective, its gradients with
 * respect to every parameter, and the parameter update, all in one call) and {@code eval} (the
 * objective and the declared metrics, updating nothing).
 */
public final class ModelCompiler {
  public static final String INFER = "infer";
  public static final String TRAIN = "train";
  public static final String EVAL = "eval";

  private ModelCompiler() {}

  /** Thrown for models the backend cannot compile (the message is for the user). */
  public static final class Unsupported extends RuntimeException {
    public Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  public static CompiledModel compile(Graph g, String source, String version, long seed) {
    return compile(g, source, version, seed, true);
  }

  /**
   * Compiles every entry point; with {@code optimize}, the roots of each entry go through the
   * graph optimizer ({@link Pipeline}) first, and its per-pass node counts are kept for the report.
   */
  public static CompiledModel compile(Graph g, String source, String version, long seed, boolean optimize) {
    Layout layout = new Layout(g);
    Map<String, Pipeline.Report> reports = new LinkedHashMap<>();
    Map<String, List<Manifest.BufferSpec>> naive = new LinkedHashMap<>();
    java.util.function.BiFunction<String, Map<String, Node>, Map<String, Node>> opt = (entry, given) -> {
      // Batch norm's mode: the training step takes the batch statistics, the others the running ones.
      Map<String, Node> roots = Modes.resolve(g, given, entry.equals(TRAIN));
      naive.put(entry, everyIntermediate(roots));
      if (!optimize) return roots;
      Pipeline.Optimized o = Pipeline.standard().run(g.withOutputs(Map.of()), roots);
      reports.put(entry, o.report());
      return o.roots();
    };
    List<EntryLowering> lowered = new ArrayList<>();
    List<Manifest.Entry> entries = new ArrayList<>();
    if (!g.outputs().isEmpty()) {
      Map<String, Node> outputs = opt.apply(INFER, g.outputs());
      EntryLowering e = lowerEntry(g, layout, INFER, outputs);
      lowered.add(e);
      entries.add(entryManifest(e, g, outputs));
    }
    if (g.train() != null) {
      double lossScale = UpdateRules.option(g, "loss_scale");
      Graph training = Modes.forTraining(g);
      Map<String, Node> trainRoots = new LinkedHashMap<>(GradientGraph.roots(training, List.of(), lossScale > 0 ? lossScale : 1));
      training.train().stateUpdates().forEach((state, next) -> trainRoots.put(STATE_UPDATE + state, next));
      Map<String, Node> roots = opt.apply(TRAIN, trainRoots);
      // Weight gradients that feed only a plain SGD step are not lowered as values: the step is
      // fused into their matmul, whose operands are lowered instead.
      Map<String, Node> direct = UpdateRules.directSgd(g, roots);
      Map<String, Node> lowerRoots = new LinkedHashMap<>(roots);
      direct.forEach((p, d) -> {
        lowerRoots.remove("grad." + p);
        // A transposed operand of the fused matmul is read in place: its source is what is lowered.
        for (int i = 0; i < d.inputs().size(); i++) lowerRoots.put("operand." + i + "." + p, MatMuls.source(d.inputs().get(i)));
      });
      EntryLowering e = lowerEntry(g, layout, TRAIN, lowerRoots);
      UpdateRules.emit(e, g, roots, layout, direct);
      writeStates(e, g, roots, layout);
      lowered.add(e);
      entries.add(entryManifest(e, g, Map.of("loss", roots.get("loss"))));
      // eval: the objective and the metrics, nothing updated
      Map<String, Node> evalRoots = new LinkedHashMap<>();
      evalRoots.put("loss", g.train().objective());
      evalRoots.putAll(g.train().metrics());
      evalRoots = opt.apply(EVAL, evalRoots);
      EntryLowering ev = lowerEntry(g, layout, EVAL, evalRoots);
      lowered.add(ev);
      entries.add(entryManifest(ev, g, evalRoots));
    }
    if (entries.isEmpty()) throw new Unsupported("compile: the model has no outputs and no train objective");
    List<Kernel> kernels = new ArrayList<>();
    Map<String, List<String>> entryKernels = new LinkedHashMap<>();
    for (EntryLowering e : lowered) {
      kernels.addAll(e.kernels);
      entryKernels.put(e.entry, e.kernels.stream().map(Kernel::name).toList());
    }
    String className = "nnc.gen." + javaName(g.name());
    Program program = new Program(className, kernels, entryKernels);
    Manifest manifest = new Manifest(g.name(), className, version, sha256(source), layout.dims(), layout.pSize(),
        slots(layout, Leaf.Param.class), slots(layout, Leaf.Constant.class), states(layout), hypers(layout), entries,
        slots(layout, Leaf.State.class));
    return new CompiledModel(program, manifest, initialP(g, layout, seed), reports, naive);
  }

  /** Roots of the training step holding the new value of a model state: {@code state_update.bn1.running_mean}. */
  static final String STATE_UPDATE = "state_update.";

  /**
   * Copies each model state's new value (computed by the step into a workspace buffer) into its
   * slot of P. These kernels come after every other kernel of the step, so every read of the old
   * value (the update itself, the evaluation branch if anything still used it) has happened.
   */
  private static void writeStates(EntryLowering e, Graph g, Map<String, Node> roots, Layout layout) {
    for (Leaf.State st : g.states()) {
      Node next = roots.get(STATE_UPDATE + st.name());
      if (next == null) continue;
      Buffer target = layout.pBuffer(st);
      List<St> body = Loops.elementwise(layout, st.shape(), "i", idx -> List.of(
          new St.Store(Space.P, e.at(target, idx), e.value(next, st.shape(), idx), false)));
      e.emitRaw("state_" + javaName(st.name()), "state: " + st.name() + " = its value after this step", "update", body,
          EntryLowering.inlined(next) ? List.of() : List.of(e.buffer(next)));
    }
  }

  /** One buffer per node of the graph as derived (no optimization, fusion or reuse): the naive baseline. */
  private static List<Manifest.BufferSpec> everyIntermediate(Map<String, Node> roots) {
    List<Manifest.BufferSpec> out = new ArrayList<>();
    for (Node n : Graph.topoOrder(roots.values())) {
      if (n instanceof Leaf.Param || n instanceof Leaf.State || n instanceof Leaf.Constant || n instanceof Leaf.DimSize
          || EntryLowering.storage(n) != n) {
        continue;
      }
      long fixed = 1;
      List<String> syms = new ArrayList<>();
      for (Dim d : n.shape().dims()) {
        if (d instanceof Dim.Fixed f) fixed *= f.size();
        else syms.add(((Dim.Sym) d).name());
      }
      out.add(new Manifest.BufferSpec(n.opName(), fixed, syms, 0, 0));
    }
    return out;
  }

  private static EntryLowering lowerEntry(Graph g, Layout layout, String name, Map<String, Node> roots) {
    for (Node n : Graph.topoOrder(roots.values())) {
      if (n.dtype() == DType.F64) {
        throw new Unsupported("compile: " + n.opName() + " " + n.type() + " at " + n.meta().span()
            + ": compiled models compute in f32 (f64 is for the interpreter and gradient checks)");
      }
    }
    EntryLowering e = new EntryLowering(layout, name, new Numbering(g.withOutputs(roots), roots), new Fusion(roots, List.of()));
    List<Node> order = Graph.topoOrder(roots.values());
    e.setOrder(order);
    for (Node n : order) e.lower(n);
    for (Node r : roots.values()) {
      Buffer b = e.buffer(r);
      if (EntryLowering.inlined(r)) e.materialize(r);
      else if (b.space() == Space.P) throw new Unsupported("compile: output " + r.opName() + " is a parameter or constant; compute something from it");
    }
    return e;
  }

  private static Manifest.Entry entryManifest(EntryLowering e, Graph g, Map<String, Node> outputs) {
    int kernels = e.kernels.size();
    int[] first = new int[e.mBuffers.size()], last = new int[e.mBuffers.size()];
    java.util.Arrays.fill(first, Integer.MAX_VALUE);
    java.util.Arrays.fill(last, -1);
    for (int k = 0; k < kernels; k++) {
      for (int w : e.writes.get(k)) {
        first[w] = Math.min(first[w], k);
        last[w] = Math.max(last[w], k);
      }
      for (int r : e.reads.get(k)) last[r] = Math.max(last[r], k);
    }
    List<Manifest.Port> inputs = new ArrayList<>();
    for (Buffer b : e.mBuffers) {
      if (b.node() instanceof Leaf.Input in) {
        first[b.id()] = -1;
        inputs.add(new Manifest.Port(in.name(), in.dtype().languageName(), shapeJson(in.shape()), b.id()));
      } else if (b.node() instanceof Leaf.Noise nz) {
        // Filled by the runtime from its noise generator, not by the caller.
        first[b.id()] = -1;
        inputs.add(new Manifest.Port(nz.name(), nz.dtype().languageName(), shapeJson(nz.shape()), b.id()));
      }
    }
    // In declaration order, not buffer order: the typed facade's parameters follow this list.
    List<String> declared = g.inputs().stream().map(Leaf.Input::name).toList();
    inputs.sort(java.util.Comparator.comparingInt(port -> declared.indexOf(port.name())));
    List<Manifest.Port> outs = new ArrayList<>();
    for (Map.Entry<String, Node> o : outputs.entrySet()) {
      Buffer b = e.buffer(o.getValue());
      last[b.id()] = kernels;
      outs.add(new Manifest.Port(o.getKey(), o.getValue().dtype().languageName(), shapeJson(o.getValue().shape()), b.id()));
    }
    List<Manifest.BufferSpec> specs = new ArrayList<>();
    for (Buffer b : e.mBuffers) {
      long fixed = 1;
      List<String> syms = new ArrayList<>();
      for (Dim d : b.shape().dims()) {
        if (d instanceof Dim.Fixed f) fixed *= f.size();
        else syms.add(((Dim.Sym) d).name());
      }
      int f = first[b.id()] == Integer.MAX_VALUE ? -1 : first[b.id()];
      specs.add(new Manifest.BufferSpec(b.name(), fixed, syms, f, Math.max(f, last[b.id()])));
    }
    return new Manifest.Entry(e.entry, e.layout.dims().size(), kernels, inputs, outs, specs, kernelTable(e));
  }

  /** Per kernel, in call order: its method, its description and what it writes (for the NaN/Inf guard). */
  private static List<Manifest.KernelInfo> kernelTable(EntryLowering e) {
    List<Manifest.KernelInfo> out = new ArrayList<>();
    for (int k = 0; k < e.kernels.size(); k++) {
      Kernel kernel = e.kernels.get(k);
      java.util.Set<String> slots = new java.util.LinkedHashSet<>();
      boolean[] unknown = {false};
      pStores(kernel.body(), e.layout, slots, unknown);
      List<Integer> writes = java.util.Arrays.stream(e.writes.get(k)).boxed().toList();
      out.add(new Manifest.KernelInfo(kernel.name(), kernel.describe(), writes, unknown[0] ? List.of() : List.copyOf(slots), unknown[0]));
    }
    return out;
  }

  /** The slots of P that stores in {@code body} write; {@code unknown[0]} when an index cannot be placed. */
  private static void pStores(List<? extends St> body, Layout layout, java.util.Set<String> slots, boolean[] unknown) {
    for (St st : body) {
      switch (st) {
        case St.Loop l -> pStores(l.body(), layout, slots, unknown);
        case St.ElementLoop l -> pStores(l.body(), layout, slots, unknown);
        case St.GemmSum gs when gs.gemm().cSpace() == Space.P -> unknown[0] = true;
        case St.Gemm g when g.cSpace() == Space.P -> {
          Integer base = baseIndex(g.c());
          String slot = base == null ? null : pSlotAt(layout, base);
          if (slot == null) unknown[0] = true;
          else slots.add(slot);
        }
        case St.Store s when s.space() == Space.P -> {
          Integer base = baseIndex(s.index());
          String slot = base == null ? null : pSlotAt(layout, base);
          if (slot == null) unknown[0] = true;
          else slots.add(slot);
        }
        default -> {}
      }
    }
  }

  /** An index with every loop variable at 0 (the first element a store writes), or null if it depends on more. */
  private static Integer baseIndex(Ix ix) {
    return switch (ix) {
      case Ix.Const c -> c.value();
      case Ix.Var v -> 0;
      case Ix.Add a -> {
        Integer x = baseIndex(a.a()), y = baseIndex(a.b());
        yield x == null || y == null ? null : x + y;
      }
      case Ix.Mul m -> {
        Integer x = baseIndex(m.a()), y = baseIndex(m.b());
        yield x == null || y == null ? null : x * y;
      }
      default -> null;
    };
  }

  private static String pSlotAt(Layout layout, int offset) {
    for (Buffer b : layout.pBuffers()) if (within(b, offset)) return b.name();
    for (Buffer b : layout.states()) if (within(b, offset)) return b.name();
    for (Map.Entry<String, Integer> h : layout.hypers().entrySet()) if (h.getValue() == offset) return "hyper." + h.getKey();
    return null;
  }

  private static boolean within(Buffer b, int offset) {
    long size = 1;
    for (Dim d : b.shape().dims()) size *= ((Dim.Fixed) d).size();
    return offset >= b.pOffset() && offset < b.pOffset() + size;
  }

  static List<Object> shapeJson(Shape s) {
    List<Object> out = new ArrayList<>();
    for (Dim d : s.dims()) out.add(d instanceof Dim.Fixed f ? (Object) f.size() : ((Dim.Sym) d).name());
    return out;
  }

  private static List<Manifest.Slot> slots(Layout layout, Class<? extends Node> kind) {
    List<Manifest.Slot> out = new ArrayList<>();
    for (Buffer b : layout.pBuffers()) {
      if (!kind.isInstance(b.node())) continue;
      List<Integer> shape = b.shape().dims().stream().map(d -> ((Dim.Fixed) d).size()).toList();
      out.add(new Manifest.Slot(b.name(), b.node().dtype().languageName(), shape, b.pOffset()));
    }
    return out;
  }

  private static List<Manifest.Slot> states(Layout layout) {
    return layout.states().stream().map(b -> new Manifest.Slot(b.name(), "f32",
        b.shape().dims().stream().map(d -> ((Dim.Fixed) d).size()).toList(), b.pOffset())).toList();
  }

  private static Map<String, Manifest.Hyper> hypers(Layout layout) {
    Map<String, Manifest.Hyper> out = new LinkedHashMap<>();
    layout.hypers().forEach((k, off) -> out.put(k, new Manifest.Hyper(off, layout.hyperValues().get(k))));
    return out;
  }

  private static float[] initialP(Graph g, Layout layout, long seed) {
    float[] p = new float[layout.pSize()];
    Map<String, NDArray> init = Parameters.initial(g, seed);
    for (Buffer b : layout.pBuffers()) {
      double[] v = switch (b.node()) {
        case Leaf.Param param -> init.get(param.name()).data();
        case Leaf.State st -> init.get(st.name()).data();
        default -> ((Leaf.Constant) b.node()).value().values();
      };
      for (int i = 0; i < v.length; i++) p[b.pOffset() + i] = (float) v[i];
    }
    layout.hypers().forEach((k, off) -> p[off] = layout.hyperValues().get(k));
    return p;
  }

  /** A Java identifier from a model or parameter name. */
  static String javaName(String s) {
    String t = s.replaceAll("[^A-Za-z0-9_]", "_");
    return t.isEmpty() || !Character.isJavaIdentifierStart(t.charAt(0)) ? "_" + t : t;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
