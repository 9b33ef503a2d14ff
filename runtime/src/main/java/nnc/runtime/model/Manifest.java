package nnc.runtime.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.io.Json;

/**
 * What a compiled model's code expects: the layout of its parameter arena, its symbolic
 * dimensions, and for each entry point its inputs, outputs and workspace buffers (sizes and live
 * ranges, from which the runtime plans the workspace for each batch size). Stored in a model JAR
 * as {@code nnc/manifest.json}; the compiler writes it, the runtime reads it.
 *
 * @param model the model's name
 * @param className the generated class implementing {@link nnc.runtime.ModelCode}
 * @param nncVersion the compiler version
 * @param sourceSha256 hash of the .nn source
 * @param dims the symbolic dimensions, in run-time table order (slots 0..)
 * @param pSize floats in the parameter arena
 * @param params trainable parameters in P
 * @param constants non-scalar constants in P (their values are stored with the weights)
 * @param state optimizer state in P (momentum, moments), saved in checkpoints
 * @param hypers scalar hyper-parameters in P (e.g. lr) with their initial values
 * @param entries the entry points, in the order of {@code ModelCode.call}'s entry index
 * @param modelState non-trainable model state in P (batch norm's running statistics): initialized
 *     with the weights, changed only by the training step, saved in checkpoints
 */
public record Manifest(String model, String className, String nncVersion, String sourceSha256, List<String> dims,
    int pSize, List<Slot> params, List<Slot> constants, List<Slot> state, Map<String, Hyper> hypers, List<Entry> entries,
    List<Slot> modelState) {

  public Manifest {
    modelState = List.copyOf(modelState);
  }

  /** A manifest of a model without model state. */
  public Manifest(String model, String className, String nncVersion, String sourceSha256, List<String> dims,
      int pSize, List<Slot> params, List<Slot> constants, List<Slot> state, Map<String, Hyper> hypers, List<Entry> entries) {
    this(model, className, nncVersion, sourceSha256, dims, pSize, params, constants, state, hypers, entries, List.of());
  }

  /** A tensor at a fixed offset of P. Shape entries are Integers. */
  public record Slot(String name, String dtype, List<Integer> shape, int offset) {
    public int size() {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  public record Hyper(int offset, double initial) {}

  /** A named tensor of an entry point in a workspace buffer. Shape entries are Integer or String (a dim). */
  public record Port(String name, String dtype, List<Object> shape, int buffer) {
    /** The random numbers of dropout ({@code noise.N}): filled by the runtime, not by the caller. */
    public boolean isNoise() {
      return name.startsWith("noise.");
    }
  }

  /** A workspace buffer: {@code fixed} times the product of {@code dims} floats, live from kernel first to last. */
  public record BufferSpec(String name, long fixed, List<String> dims, int first, int last) {}

  /**
   * One kernel of an entry, in call order, for the NaN/Inf guard: its method in the generated
   * class, what it computes (the IR node and its {@code .nn} span), the workspace buffers it
   * writes (ids) and the slots of P it writes (parameters, optimizer state, {@code hyper.NAME});
   * {@code pAll} when the compiler could not tell which part of P it writes.
   */
  public record KernelInfo(String name, String describe, List<Integer> writes, List<String> pSlots, boolean pAll) {}

  /** An entry point; {@code kernelTable} is empty in manifests written before the NaN/Inf guard existed. */
  public record Entry(String name, int rtBase, int kernels, List<Port> inputs, List<Port> outputs, List<BufferSpec> buffers,
      List<KernelInfo> kernelTable) {
    public Entry(String name, int rtBase, int kernels, List<Port> inputs, List<Port> outputs, List<BufferSpec> buffers) {
      this(name, rtBase, kernels, inputs, outputs, buffers, List.of());
    }
  }

  public Entry entry(String name) {
    for (Entry e : entries) if (e.name().equals(name)) return e;
    return null;
  }

  public int entryIndex(String name) {
    for (int i = 0; i < entries.size(); i++) if (entries.get(i).name().equals(name)) return i;
    return -1;
  }

  // ---- JSON -------------------------------------------------------------------------------------

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1L);
    m.put("model", model);
    m.put("class", className);
    m.put("nnc", nncVersion);
    m.put("source_sha256", sourceSha256);
    m.put("dims", dims);
    m.put("p_size", (long) pSize);
    m.put("params", params.stream().map(Manifest::slotJson).toList());
    m.put("constants", constants.stream().map(Manifest::slotJson).toList());
    m.put("state", state.stream().map(Manifest::slotJson).toList());
    if (!modelState.isEmpty()) m.put("model_state", modelState.stream().map(Manifest::slotJson).toList());
    Map<String, Object> h = new LinkedHashMap<>();
    hypers.forEach((k, v) -> h.put(k, Map.of("offset", (long) v.offset(), "initial", v.initial())));
    m.put("hypers", h);
    List<Object> es = new ArrayList<>();
    for (Entry e : entries) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("name", e.name());
      em.put("rt_base", (long) e.rtBase());
      em.put("kernels", (long) e.kernels());
      em.put("inputs", e.inputs().stream().map(Manifest::portJson).toList());
      em.put("outputs", e.outputs().stream().map(Manifest::portJson).toList());
      em.put("buffers", e.buffers().stream().map(b -> (Object) Map.of("name", b.name(), "fixed", b.fixed(), "dims", b.dims(),
          "first", (long) b.first(), "last", (long) b.last())).toList());
      em.put("kernel_table", e.kernelTable().stream().map(k -> {
        Map<String, Object> km = new LinkedHashMap<>();
        km.put("name", k.name());
        km.put("describe", k.describe());
        km.put("writes", k.writes().stream().map(Integer::longValue).toList());
        if (!k.pSlots().isEmpty()) km.put("p_slots", k.pSlots());
        if (k.pAll()) km.put("p", true);
        return (Object) km;
      }).toList());
      es.add(em);
    }
    m.put("entries", es);
    return Json.write(m);
  }

  private static Object slotJson(Slot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("dtype", s.dtype());
    m.put("shape", s.shape().stream().map(Integer::longValue).toList());
    m.put("offset", (long) s.offset());
    return m;
  }

  private static Object portJson(Port p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.name());
    m.put("dtype", p.dtype());
    m.put("shape", p.shape().stream().map(d -> d instanceof Integer i ? (Object) i.longValue() : d).toList());
    m.put("buffer", (long) p.buffer());
    return m;
  }

  /** Parses a manifest; a malformed one throws IllegalArgumentException with a one-line reason. */
  @SuppressWarnings("unchecked")
  public static Manifest parse(String json) {
    try {
      Map<String, Object> m = (Map<String, Object>) Json.parse(json);
      if (!Long.valueOf(1).equals(m.get("format"))) throw new IllegalArgumentException("unsupported manifest format " + m.get("format"));
      List<Slot> params = ((List<Object>) m.get("params")).stream().map(Manifest::slot).toList();
      List<Slot> constants = ((List<Object>) m.get("constants")).stream().map(Manifest::slot).toList();
      List<Slot> state = ((List<Object>) m.get("state")).stream().map(Manifest::slot).toList();
      // absent in manifests of models without model state (and in those written before it existed)
      List<Slot> modelState = m.get("model_state") == null ? List.of()
          : ((List<Object>) m.get("model_state")).stream().map(Manifest::slot).toList();
      Map<String, Hyper> hypers = new LinkedHashMap<>();
      ((Map<String, Object>) m.get("hypers")).forEach((k, v) -> {
        Map<String, Object> hv = (Map<String, Object>) v;
        hypers.put(k, new Hyper(toInt(hv.get("offset")), ((Number) hv.get("initial")).doubleValue()));
      });
      List<Entry> entries = new ArrayList<>();
      for (Object o : (List<Object>) m.get("entries")) {
        Map<String, Object> e = (Map<String, Object>) o;
        List<BufferSpec> buffers = new ArrayList<>();
        for (Object bo : (List<Object>) e.get("buffers")) {
          Map<String, Object> b = (Map<String, Object>) bo;
          buffers.add(new BufferSpec((String) b.get("name"), ((Number) b.get("fixed")).longValue(),
              ((List<Object>) b.get("dims")).stream().map(String.class::cast).toList(), toInt(b.get("first")), toInt(b.get("last"))));
        }
        List<KernelInfo> table = new ArrayList<>();
        if (e.get("kernel_table") != null) {
          for (Object ko : (List<Object>) e.get("kernel_table")) {
            Map<String, Object> k = (Map<String, Object>) ko;
            List<String> slots = k.get("p_slots") == null ? List.of() : ((List<Object>) k.get("p_slots")).stream().map(String.class::cast).toList();
            table.add(new KernelInfo((String) k.get("name"), (String) k.get("describe"),
                ((List<Object>) k.get("writes")).stream().map(Manifest::toInt).toList(), slots, Boolean.TRUE.equals(k.get("p"))));
          }
        }
        entries.add(new Entry((String) e.get("name"), toInt(e.get("rt_base")), toInt(e.get("kernels")),
            ((List<Object>) e.get("inputs")).stream().map(Manifest::port).toList(),
            ((List<Object>) e.get("outputs")).stream().map(Manifest::port).toList(), buffers, table));
      }
      return new Manifest((String) m.get("model"), (String) m.get("class"), (String) m.get("nnc"), (String) m.get("source_sha256"),
          ((List<Object>) m.get("dims")).stream().map(String.class::cast).toList(), toInt(m.get("p_size")), params, constants, state, hypers, entries, modelState);
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("malformed manifest: a field is missing or has the wrong type");
    }
  }

  @SuppressWarnings("unchecked")
  private static Slot slot(Object o) {
    Map<String, Object> m = (Map<String, Object>) o;
    return new Slot((String) m.get("name"), (String) m.get("dtype"),
        ((List<Object>) m.get("shape")).stream().map(Manifest::toInt).toList(), toInt(m.get("offset")));
  }

  @SuppressWarnings("unchecked")
  private static Port port(Object o) {
    Map<String, Object> m = (Map<String, Object>) o;
    List<Object> shape = ((List<Object>) m.get("shape")).stream().map(d -> d instanceof Long l ? (Object) l.intValue() : d).toList();
    return new Port((String) m.get("name"), (String) m.get("dtype"), shape, toInt(m.get("buffer")));
  }

  private static int toInt(Object o) {
    return Math.toIntExact((Long) o);
  }
}
