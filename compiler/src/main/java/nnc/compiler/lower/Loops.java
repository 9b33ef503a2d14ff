package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/** Builds loop nests over a shape: Loops for the outer axes, an ElementLoop for the innermost. */
final class Loops {
  private Loops() {}

  /**
   * A nest over every axis of {@code shape}; {@code body} receives the index expression of each
   * axis and returns the stores of one element. Variables are named {@code prefix0, prefix1, ...}.
   */
  static List<St> elementwise(Layout layout, Shape shape, String prefix, Function<Ix[], List<St.Store>> body) {
    int r = shape.rank();
    Ix[] idx = new Ix[r];
    for (int i = 0; i < r; i++) idx[i] = Ix.v(prefix + i);
    List<St.Store> stores = body.apply(idx);
    if (r == 0) return new ArrayList<>(stores);
    St inner = new St.ElementLoop(prefix + (r - 1), Ix.c(0), layout.dim(shape.get(r - 1)), stores);
    for (int i = r - 2; i >= 0; i--) inner = new St.Loop(prefix + i, Ix.c(0), layout.dim(shape.get(i)), List.of(inner));
    return List.of(inner);
  }

  /** A nest of plain Loops over the axes of {@code shape} around {@code body}. */
  static List<St> nest(Layout layout, Shape shape, String prefix, Function<Ix[], List<St>> body) {
    int r = shape.rank();
    Ix[] idx = new Ix[r];
    for (int i = 0; i < r; i++) idx[i] = Ix.v(prefix + i);
    List<St> inner = body.apply(idx);
    for (int i = r - 1; i >= 0; i--) inner = List.of(new St.Loop(prefix + i, Ix.c(0), layout.dim(shape.get(i)), inner));
    return inner;
  }

  /** The flat offset of a coordinate: sum of idx[i] * stride[i]. */
  static Ix dot(Ix[] idx, Ix[] strides) {
    Ix acc = Ix.c(0);
    for (int i = 0; i < idx.length; i++) acc = Ix.add(acc, Ix.mul(idx[i], strides[i]));
    return acc;
  }
}
