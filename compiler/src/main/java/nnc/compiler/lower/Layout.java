package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Space;

/**
 * Where the tensors of a compiled model live. The parameter arena P is laid out once for the
 * model: parameters, model state (running statistics), non-scalar constants, and hyper-parameters such as the learning rate (kept
 * in P so that a schedule can change them without recompiling). The run-time table starts with
 * one slot per symbolic dimension; each entry point then appends one slot per workspace buffer.
 */
public final class Layout {
  private final List<String> dims;
  private final Map<Node, Buffer> pBuffers = new IdentityHashMap<>();
  private final List<Buffer> pList = new ArrayList<>();
  private final List<Buffer> states = new ArrayList<>();
  private final Map<String, Integer> hypers = new LinkedHashMap<>();
  private final Map<String, Float> hyperValues = new LinkedHashMap<>();
  private int pSize;

  public Layout(Graph g) {
    TreeSet<String> syms = new TreeSet<>();
    for (Leaf.Input in : g.inputs()) for (Dim d : in.shape().dims()) if (d instanceof Dim.Sym s) syms.add(s.name());
    dims = List.copyOf(syms);
    for (Leaf.Param p : g.params()) addP(p, p.name());
    for (Leaf.State st : g.states()) addP(st, st.name());
  }

  private Buffer addP(Node n, String name) {
    Buffer b = new Buffer(pList.size(), name, Space.P, n.shape(), n, pSize, -1);
    pSize += (int) n.shape().staticSize();
    pBuffers.put(n, b);
    pList.add(b);
    return b;
  }

  /** The P buffer of a parameter or a non-scalar constant (constants are added on first use). */
  Buffer pBuffer(Node n) {
    Buffer b = pBuffers.get(n);
    if (b == null && n instanceof Leaf.Constant) b = addP(n, "const." + pList.size());
    return b;
  }

  /** Optimizer state shaped like a parameter (momentum, Adam's moments), zero-initialised in P. */
  Buffer state(String name, Node like) {
    Buffer b = new Buffer(states.size(), name, Space.P, like.shape(), like, pSize, -1);
    pSize += (int) like.shape().staticSize();
    states.add(b);
    return b;
  }

  public List<Buffer> states() {
    return states;
  }

  /** A scalar hyper-parameter in P, e.g. {@code lr}; returns its offset. */
  int hyper(String name, float initial) {
    return hypers.computeIfAbsent(name, k -> {
      hyperValues.put(k, initial);
      return pSize++;
    });
  }

  public List<Buffer> pBuffers() {
    return pList;
  }

  public Map<String, Integer> hypers() {
    return hypers;
  }

  public Map<String, Float> hyperValues() {
    return hyperValues;
  }

  public int pSize() {
    return pSize;
  }

  public List<String> dims() {
    return dims;
  }

  /** The size of a dimension: a constant, or the run-time table slot of a symbolic one. */
  Ix dim(Dim d) {
    return switch (d) {
      case Dim.Fixed f -> Ix.c(f.size());
      case Dim.Sym s -> {
        int slot = dims.indexOf(s.name());
        if (slot < 0) throw new IllegalStateException("dimension " + s.name() + " is bound by no input");
        yield new Ix.Rt(slot);
      }
    };
  }

  Fx dimValue(String sym) {
    return new Fx.FromInt(dim(Dim.sym(sym)));
  }

  /** Row-major strides of a shape, as index expressions. */
  Ix[] strides(Shape s) {
    Ix[] st = new Ix[s.rank()];
    Ix acc = Ix.c(1);
    for (int i = s.rank() - 1; i >= 0; i--) {
      st[i] = acc;
      acc = Ix.mul(acc, dim(s.get(i)));
    }
    return st;
  }

  Ix size(Shape s) {
    Ix acc = Ix.c(1);
    for (Dim d : s.dims()) acc = Ix.mul(acc, dim(d));
    return acc;
  }
}
