package nnc.compiler.backend.java;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.SourceVersion;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;

/**
 * The Java names of one kernel method. The kernel IR's own names (loop variables, locals,
 * accumulators) are kept wherever Java allows them; ints and floats live in separate namespaces
 * in the IR but share one in Java, so a float that clashes with an int is renamed. Temporaries
 * the emitter introduces are allocated per block and never clash with an IR name or with a
 * temporary of an enclosing block.
 */
final class Names {
  /** The method's parameters, the species field and the classes the generated code names. */
  private static final Set<String> RESERVED = Set.of("p", "m", "rt", "S", "Math", "Float",
      "FloatVector", "VectorOperators", "VectorSpecies", "ScalarOps", "IllegalArgumentException");

  private final Map<String, String> ints = new LinkedHashMap<>();
  private final Map<String, String> floats = new LinkedHashMap<>();
  /** Every Java name an IR name maps to: never handed out as a temporary. */
  private final Set<String> fixed = new HashSet<>();
  private final Deque<Set<String>> blocks = new ArrayDeque<>();
  /** run-time table slots read more than once, hoisted into int locals: slot to name. */
  private final Map<Integer, String> rtLocals = new TreeMap<>();

  Names(Kernel kernel) {
    Map<Integer, Integer> rtUses = new TreeMap<>();
    Set<String> intNames = new java.util.LinkedHashSet<>();
    Set<String> floatNames = new java.util.LinkedHashSet<>();
    collect(kernel.body(), intNames, floatNames, rtUses, 1);
    for (String n : intNames) if (legal(n)) ints.put(n, n);
    for (String n : floatNames) if (legal(n) && !ints.containsKey(n)) floats.put(n, n);
    fixed.addAll(ints.values());
    fixed.addAll(floats.values());
    for (String n : intNames) ints.computeIfAbsent(n, k -> rename(k, "i"));
    for (String n : floatNames) floats.computeIfAbsent(n, k -> rename(k, "f"));
    blocks.push(new HashSet<>());
    rtUses.forEach((slot, uses) -> {
      if (uses > 1) rtLocals.put(slot, temp("rt" + slot));
    });
  }

  String intVar(String irName) {
    return lookup(ints, irName);
  }

  String floatVar(String irName) {
    return lookup(floats, irName);
  }

  /** The int local holding {@code rt[slot]}, or null when the slot is read in place. */
  String rtLocal(int slot) {
    return rtLocals.get(slot);
  }

  Map<Integer, String> rtLocals() {
    return rtLocals;
  }

  /** A fresh name for a temporary declared in the current block: {@code base}, then base2, base3... */
  String temp(String base) {
    String name = base;
    for (int k = 2; taken(name); k++) name = base + k;
    blocks.peek().add(name);
    return name;
  }

  /** A fresh numbered temporary: base0, base1, ... */
  String numbered(String base) {
    String name = base + 0;
    for (int k = 1; taken(name); k++) name = base + k;
    blocks.peek().add(name);
    return name;
  }

  void enterBlock() {
    blocks.push(new HashSet<>());
  }

  void exitBlock() {
    blocks.pop();
  }

  private boolean taken(String name) {
    if (fixed.contains(name) || RESERVED.contains(name)) return true;
    for (Set<String> b : blocks) if (b.contains(name)) return true;
    return false;
  }

  private String rename(String irName, String prefix) {
    StringBuilder b = new StringBuilder();
    for (char c : irName.toCharArray()) b.append(Character.isJavaIdentifierPart(c) ? c : '_');
    String base = b.isEmpty() || !Character.isJavaIdentifierStart(b.charAt(0)) ? prefix + b : b.toString();
    String name = base;
    for (int k = 2; !legal(name) || fixed.contains(name); k++) name = base + k;
    fixed.add(name);
    return name;
  }

  private static boolean legal(String name) {
    return SourceVersion.isIdentifier(name) && !SourceVersion.isKeyword(name) && !RESERVED.contains(name);
  }

  private static String lookup(Map<String, String> names, String irName) {
    String n = names.get(irName);
    if (n == null) throw new IllegalStateException("kernel IR name not collected: " + irName);
    return n;
  }

  /**
   * Collects the IR's names and counts the reads of each rt slot in the emitted code: {@code
   * copies} is how many times the code is emitted (twice for a vector loop and its scalar tail).
   */
  private static void collect(List<? extends St> body, Set<String> ints, Set<String> floats, Map<Integer, Integer> rt,
      int copies) {
    for (St s : body) {
      switch (s) {
        case St.Loop l -> {
          ints.add(l.var());
          for (int k = 0; k < copies; k++) {
            collect(l.lo(), ints, floats, rt);
            collect(l.hi(), ints, floats, rt);
          }
          collect(l.body(), ints, floats, rt, copies);
        }
        case St.ElementLoop l -> {
          ints.add(l.var());
          int c = Vectorizer.canVectorize(l) ? 2 * copies : copies;
          for (int k = 0; k < c; k++) {
            collect(l.lo(), ints, floats, rt);
            collect(l.hi(), ints, floats, rt);
          }
          collect(l.body(), ints, floats, rt, c);
        }
        case St.ReduceLoop r -> {
          ints.add(r.var());
          floats.add(r.acc());
          int c = Vectorizer.canVectorize(r) ? 2 * copies : copies;
          for (int k = 0; k < c; k++) {
            collect(r.lo(), ints, floats, rt);
            collect(r.hi(), ints, floats, rt);
            collect(r.value(), ints, floats, rt);
          }
        }
        case St.Store st -> {
          for (int k = 0; k < copies; k++) {
            collect(st.index(), ints, floats, rt);
            collect(st.value(), ints, floats, rt);
          }
        }
        case St.DeclareFloat d -> {
          floats.add(d.name());
          for (int k = 0; k < copies; k++) collect(d.init(), ints, floats, rt);
        }
        case St.SetFloat d -> {
          floats.add(d.name());
          for (int k = 0; k < copies; k++) collect(d.value(), ints, floats, rt);
        }
        case St.DeclareInt d -> {
          ints.add(d.name());
          for (int k = 0; k < copies; k++) collect(d.init(), ints, floats, rt);
        }
        case St.Comment c -> {}
        case St.Gemm g -> {
          for (Ix x : List.of(g.a(), g.b(), g.c(), g.m(), g.n(), g.k())) for (int k = 0; k < copies; k++) collect(x, ints, floats, rt);
          for (int k = 0; k < copies; k++) collect(g.alpha(), ints, floats, rt);
        }
        case St.GemmSum gs -> {
          St.Gemm g = gs.gemm();
          for (Ix x : List.of(g.a(), g.b(), g.c(), g.m(), g.n(), g.k(), gs.batch(), gs.aStride(), gs.bStride())) {
            for (int k = 0; k < copies; k++) collect(x, ints, floats, rt);
          }
          for (int k = 0; k < copies; k++) collect(g.alpha(), ints, floats, rt);
        }
      }
    }
  }

  private static void collect(Ix x, Set<String> ints, Set<String> floats, Map<Integer, Integer> rt) {
    switch (x) {
      case Ix.Const c -> {}
      case Ix.Var v -> ints.add(v.name());
      case Ix.Rt r -> rt.merge(r.slot(), 1, Integer::sum);
      case Ix.Add a -> {
        collect(a.a(), ints, floats, rt);
        collect(a.b(), ints, floats, rt);
      }
      case Ix.Mul a -> {
        collect(a.a(), ints, floats, rt);
        collect(a.b(), ints, floats, rt);
      }
      case Ix.Div a -> {
        collect(a.a(), ints, floats, rt);
        collect(a.b(), ints, floats, rt);
      }
      case Ix.Rem a -> {
        collect(a.a(), ints, floats, rt);
        collect(a.b(), ints, floats, rt);
      }
      case Ix.FromFloat f -> collect(f.value(), ints, floats, rt);
    }
  }

  private static void collect(Fx x, Set<String> ints, Set<String> floats, Map<Integer, Integer> rt) {
    switch (x) {
      case Fx.Const c -> {}
      case Fx.Load l -> collect(l.index(), ints, floats, rt);
      case Fx.Local l -> floats.add(l.name());
      case Fx.Unary u -> collect(u.x(), ints, floats, rt);
      case Fx.Binary b -> {
        collect(b.a(), ints, floats, rt);
        collect(b.b(), ints, floats, rt);
      }
      case Fx.Select s -> {
        collect(s.cond(), ints, floats, rt);
        collect(s.a(), ints, floats, rt);
        collect(s.b(), ints, floats, rt);
      }
      case Fx.FromInt i -> collect(i.value(), ints, floats, rt);
      case Fx.Trunc t -> collect(t.x(), ints, floats, rt);
    }
  }
}
