package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import nnc.runtime.DType;

/** Row lookup by integer indices (embeddings) and its adjoint. */
public final class Indexing {
  private Indexing() {}

  /** {@code table[V, D...]} indexed by {@code idx[I...]} (i32) gives {@code [I..., D...]}. */
  public record Gather(Node table, Node idx, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(table, idx);
    }

    @Override
    public String opName() {
      return "gather";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Gather g && table == g.table && idx == g.idx;
    }

    @Override
    public int hashCode() {
      return Node.hash("gather", inputs());
    }
  }

  /**
   * Adds the rows of {@code src[I..., D...]} into a zero tensor of the type's shape {@code [V, D...]}
   * at rows {@code idx[I...]}; repeated indices accumulate. The gradient of {@link Gather}.
   */
  public record ScatterAdd(Node src, Node idx, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(src, idx);
    }

    @Override
    public String opName() {
      return "scatter_add";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ScatterAdd g && src == g.src && idx == g.idx && type.equals(g.type);
    }

    @Override
    public int hashCode() {
      return Node.hash(type, inputs());
    }
  }

  static TensorType gatherType(TensorType table, TensorType idx) {
    String what = "gather: " + table + "[" + idx + "]";
    if (idx.dtype() != DType.I32) throw new IrException(what + ": indices must be i32");
    if (table.rank() < 1) throw new IrException(what + ": table must have rank >= 1");
    List<Dim> out = new ArrayList<>(idx.shape().dims());
    out.addAll(table.shape().dims().subList(1, table.rank()));
    return table.withShape(new Shape(out));
  }

  static TensorType scatterAddType(TensorType src, TensorType idx, Shape target) {
    String what = "scatter_add: " + src + " at " + idx + " into " + target;
    if (idx.dtype() != DType.I32) throw new IrException(what + ": indices must be i32");
    List<Dim> expect = new ArrayList<>(idx.shape().dims());
    expect.addAll(target.dims().subList(1, target.rank()));
    if (!new Shape(expect).equals(src.shape())) throw new IrException(what + ": shapes do not match");
    return src.withShape(target);
  }

  static Node[] vjp(IrBuilder b, Gather n, Node g) {
    return new Node[] {b.scatterAdd(g, n.idx(), n.table().shape()), null};
  }

  static Node[] vjp(IrBuilder b, ScatterAdd n, Node g) {
    return new Node[] {b.gather(g, n.idx()), null};
  }
}
