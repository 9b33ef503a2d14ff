package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** An immutable tensor shape; dimensions may be symbolic. */
public record Shape(List<Dim> dims) {
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(int... sizes) {
    List<Dim> ds = new ArrayList<>();
    for (int s : sizes) ds.add(Dim.of(s));
    return new Shape(ds);
  }

  public static Shape of(Dim... dims) {
    return new Shape(List.of(dims));
  }

  public int rank() {
    return dims.size();
  }

  public Dim get(int axis) {
    return dims.get(axis);
  }

  public boolean isStatic() {
    return dims.stream().allMatch(d -> d instanceof Dim.Fixed);
  }

  /** The element count when every dimension is fixed. */
  public long staticSize() {
    long n = 1;
    for (Dim d : dims) {
      if (!(d instanceof Dim.Fixed f)) throw new IllegalStateException("symbolic shape " + this);
      n *= f.size();
    }
    return n;
  }

  /** The element count as a monomial: a fixed factor times a multiset of symbols. */
  public Volume volume() {
    long fixed = 1;
    Map<String, Integer> syms = new HashMap<>();
    for (Dim d : dims) {
      switch (d) {
        case Dim.Fixed f -> fixed *= f.size();
        case Dim.Sym s -> syms.merge(s.name(), 1, Integer::sum);
      }
    }
    return new Volume(fixed, syms);
  }

  /** Element count of a shape, kept symbolic so that reshapes over batch dims can be checked. */
  public record Volume(long fixed, Map<String, Integer> symbols) {
    public Volume {
      symbols = Map.copyOf(symbols);
    }
  }

  public Shape with(int axis, Dim d) {
    List<Dim> ds = new ArrayList<>(dims);
    ds.set(axis, d);
    return new Shape(ds);
  }

  public Shape remove(int axis) {
    List<Dim> ds = new ArrayList<>(dims);
    ds.remove(axis);
    return new Shape(ds);
  }

  public Shape insert(int axis, Dim d) {
    List<Dim> ds = new ArrayList<>(dims);
    ds.add(axis, d);
    return new Shape(ds);
  }

  /** Resolves a possibly negative axis against this rank, or returns -1 when out of range. */
  public int normalizeAxis(int axis) {
    int a = axis < 0 ? axis + rank() : axis;
    return a >= 0 && a < rank() ? a : -1;
  }

  /** Binds the symbolic dimensions to sizes, giving a concrete shape. */
  public int[] concrete(Map<String, Integer> bindings) {
    int[] out = new int[rank()];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (dims.get(i)) {
        case Dim.Fixed f -> f.size();
        case Dim.Sym s -> {
          Integer v = bindings.get(s.name());
          if (v == null) throw new IllegalStateException("unbound dimension " + s.name());
          yield v;
        }
      };
    }
    return out;
  }

  @Override
  public String toString() {
    return dims.stream().map(Dim::toString).collect(Collectors.joining(",", "[", "]"));
  }
}
