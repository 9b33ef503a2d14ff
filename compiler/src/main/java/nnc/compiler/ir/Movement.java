package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;

/** Ops that move or copy elements without arithmetic. */
public final class Movement {
  private Movement() {}

  /** Output axis i is input axis perm[i]. */
  public record Transpose(Node x, List<Integer> perm, TensorType type, Meta meta) implements Node {
    public Transpose {
      perm = List.copyOf(perm);
    }

    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "transpose";
    }

    @Override
    public String attributes() {
      return "perm=" + perm.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Transpose t && x == t.x && perm.equals(t.perm);
    }

    @Override
    public int hashCode() {
      return Node.hash(perm, inputs());
    }
  }

  /** Same elements in row-major order, new shape (the type's shape). */
  public record Reshape(Node x, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "reshape";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reshape r && x == r.x && type.shape().equals(r.type.shape());
    }

    @Override
    public int hashCode() {
      return Node.hash(type.shape(), inputs());
    }
  }

  /** NumPy broadcasting to the type's shape: size-1 axes repeat, leading axes are added. */
  public record Broadcast(Node x, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "broadcast";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Broadcast r && x == r.x && type.shape().equals(r.type.shape());
    }

    @Override
    public int hashCode() {
      return Node.hash(type.shape(), inputs()) + 1;
    }
  }

  /**
   * A contiguous box: axis i keeps indices [start[i], start[i] + type.shape[i]). A symbolic axis
   * is always kept whole (start 0).
   */
  public record Slice(Node x, List<Integer> start, TensorType type, Meta meta) implements Node {
    public Slice {
      start = List.copyOf(start);
    }

    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "slice";
    }

    @Override
    public String attributes() {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < start.size(); i++) {
        Dim d = type.shape().get(i);
        parts.add(d instanceof Dim.Fixed f ? start.get(i) + ":" + (start.get(i) + f.size()) : ":");
      }
      return String.join(",", parts);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slice s && x == s.x && start.equals(s.start) && type.shape().equals(s.type.shape());
    }

    @Override
    public int hashCode() {
      return Node.hash(List.of(start, type.shape()), inputs());
    }
  }

  /** Zero padding: lo[i] zeros before and hi[i] zeros after axis i (the gradient of a slice). */
  public record Pad(Node x, List<Integer> lo, List<Integer> hi, TensorType type, Meta meta) implements Node {
    public Pad {
      lo = List.copyOf(lo);
      hi = List.copyOf(hi);
    }

    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "pad";
    }

    @Override
    public String attributes() {
      return "lo=" + lo.toString().replace(" ", "") + " hi=" + hi.toString().replace(" ", "");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Pad p && x == p.x && lo.equals(p.lo) && hi.equals(p.hi);
    }

    @Override
    public int hashCode() {
      return Node.hash(List.of(lo, hi), inputs());
    }
  }

  /** Joins tensors along one axis. */
  public record Concat(List<Node> parts, int axis, TensorType type, Meta meta) implements Node {
    public Concat {
      parts = List.copyOf(parts);
    }

    @Override
    public List<Node> inputs() {
      return parts;
    }

    @Override
    public String opName() {
      return "concat";
    }

    @Override
    public String attributes() {
      return "axis=" + axis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Concat c && axis == c.axis && Node.sameInputs(parts, c.parts);
    }

    @Override
    public int hashCode() {
      return Node.hash(axis, parts);
    }
  }

  // ---- shape rules ----------------------------------------------------------------------------

  static TensorType transposeType(TensorType x, List<Integer> perm) {
    if (perm.size() != x.rank() || new HashSet<>(perm).size() != perm.size()
        || perm.stream().anyMatch(p -> p < 0 || p >= x.rank())) {
      throw new IrException("transpose: " + perm + " is not a permutation of the axes of " + x);
    }
    List<Dim> out = new ArrayList<>();
    for (int p : perm) out.add(x.shape().get(p));
    return x.withShape(new Shape(out));
  }

  static TensorType reshapeType(TensorType x, Shape to) {
    if (!x.shape().volume().equals(to.volume())) {
      throw new IrException("reshape: cannot reshape " + x + " to " + to + ": element counts differ");
    }
    return x.withShape(to);
  }

  static TensorType broadcastType(TensorType x, Shape to) {
    Shape s = Elementwise.broadcast("broadcast: " + x + " to " + to, x.shape(), to);
    if (!s.equals(to)) throw new IrException("broadcast: cannot broadcast " + x + " to " + to);
    return x.withShape(to);
  }

  static TensorType sliceType(TensorType x, List<Integer> start, List<Integer> size) {
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      Dim d = x.shape().get(i);
      if (size.get(i) < 0) {
        out.add(d);
        continue;
      }
      if (d instanceof Dim.Fixed f && (start.get(i) < 0 || start.get(i) + size.get(i) > f.size())) {
        throw new IrException("slice: indices [" + start.get(i) + ":" + (start.get(i) + size.get(i))
            + "] out of range for axis " + i + " of " + x);
      }
      if (d instanceof Dim.Sym) throw new IrException("slice: cannot slice symbolic axis " + d + " of " + x);
      out.add(Dim.of(size.get(i)));
    }
    return x.withShape(new Shape(out));
  }

  static TensorType padType(TensorType x, List<Integer> lo, List<Integer> hi) {
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      Dim d = x.shape().get(i);
      int extra = lo.get(i) + hi.get(i);
      if (lo.get(i) < 0 || hi.get(i) < 0) throw new IrException("pad: negative padding for " + x);
      if (extra == 0) out.add(d);
      else if (d instanceof Dim.Fixed f) out.add(Dim.of(f.size() + extra));
      else throw new IrException("pad: cannot pad symbolic axis " + d + " of " + x);
    }
    return x.withShape(new Shape(out));
  }

  static TensorType concatType(List<TensorType> parts, int axis) {
    TensorType first = parts.get(0);
    String what = "concat: " + parts.stream().map(TensorType::toString).collect(Collectors.joining(", "));
    int total = 0;
    for (TensorType t : parts) {
      if (t.dtype() != first.dtype()) throw new IrException(what + ": element types differ");
      if (t.rank() != first.rank()) throw new IrException(what + ": ranks differ");
      for (int i = 0; i < t.rank(); i++) {
        if (i != axis && !t.shape().get(i).equals(first.shape().get(i))) {
          throw new IrException(what + ": dimension " + i + " differs");
        }
      }
      if (!(t.shape().get(axis) instanceof Dim.Fixed f)) {
        throw new IrException(what + ": cannot concatenate along symbolic axis " + axis);
      }
      total += f.size();
    }
    return first.withShape(first.shape().with(axis, Dim.of(total)));
  }

  // ---- gradient rules -------------------------------------------------------------------------

  static Node[] vjp(IrBuilder b, Transpose n, Node g) {
    int[] inverse = new int[n.perm().size()];
    for (int i = 0; i < inverse.length; i++) inverse[n.perm().get(i)] = i;
    return new Node[] {b.transpose(g, java.util.Arrays.stream(inverse).boxed().toList())};
  }

  static Node[] vjp(IrBuilder b, Reshape n, Node g) {
    return new Node[] {b.reshape(g, n.x().shape())};
  }

  static Node[] vjp(IrBuilder b, Broadcast n, Node g) {
    return new Node[] {b.sumTo(g, n.x().shape())};
  }

  static Node[] vjp(IrBuilder b, Slice n, Node g) {
    List<Integer> lo = new ArrayList<>(), hi = new ArrayList<>();
    for (int i = 0; i < n.start().size(); i++) {
      Dim in = n.x().shape().get(i), out = n.shape().get(i);
      lo.add(n.start().get(i));
      hi.add(in instanceof Dim.Fixed fi && out instanceof Dim.Fixed fo ? fi.size() - fo.size() - n.start().get(i) : 0);
    }
    return new Node[] {b.pad(g, lo, hi)};
  }

  static Node[] vjp(IrBuilder b, Pad n, Node g) {
    List<Integer> size = new ArrayList<>();
    for (Dim d : n.x().shape().dims()) size.add(d instanceof Dim.Fixed f ? f.size() : -1);
    return new Node[] {b.slice(g, n.lo(), size)};
  }

  static Node[] vjp(IrBuilder b, Concat n, Node g) {
    Node[] out = new Node[n.parts().size()];
    int offset = 0;
    for (int p = 0; p < out.length; p++) {
      Shape s = n.parts().get(p).shape();
      List<Integer> start = new ArrayList<>(), size = new ArrayList<>();
      for (int i = 0; i < s.rank(); i++) {
        start.add(i == n.axis() ? offset : 0);
        size.add(s.get(i) instanceof Dim.Fixed f ? f.size() : -1);
      }
      out[p] = b.slice(g, start, size);
      offset += ((Dim.Fixed) s.get(n.axis())).size();
    }
    return out;
  }
}
