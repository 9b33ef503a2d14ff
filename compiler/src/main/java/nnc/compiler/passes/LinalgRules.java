package nnc.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Shape;

/**
 * Matrix products and transposes in the forms reverse mode leaves behind: a product over an
 * inner dimension of 1 is an outer product (a broadcast multiply), a product with an operand
 * broadcast along the inner axis is a row or column sum times it, the transpose of a product of a transposed operand is the
 * product the other way round, and a transpose or reduction-of-transpose that moves only axes
 * of size 1 is a reshape.
 */
final class LinalgRules {
  private LinalgRules() {}

  static Node rule(Node n, IrBuilder b) {
    return switch (n) {
      // a[..., M, 1] @ b[..., 1, N] = a * b, broadcast
      case Linalg.MatMul m when m.a().shape().get(m.a().shape().rank() - 1).isOne() -> Match.as(b, b.mul(m.a(), m.b()), m.type());
      // a @ broadcast(v) = rowsum(a) * v when v is constant along the inner axis (the gradient
      // of a sum or mean of a product), and broadcast(u) @ b = u * colsum(b)
      case Linalg.MatMul m when constantAlong(m.b(), 2) != null -> Match.as(b,
          b.mul(b.reduce(ReduceOp.SUM, m.a(), Axes.of(m.a().shape().rank() - 1), true), constantAlong(m.b(), 2)), m.type());
      case Linalg.MatMul m when constantAlong(m.a(), 1) != null -> Match.as(b,
          b.mul(constantAlong(m.a(), 1), b.reduce(ReduceOp.SUM, m.b(), Axes.of(m.b().shape().rank() - 2), true)), m.type());
      // (A B)^T = B^T A^T, when one of the transposes cancels
      case Movement.Transpose t when t.x() instanceof Linalg.MatMul m && swapsLastTwo(t.perm())
          && (m.a() instanceof Movement.Transpose || m.b() instanceof Movement.Transpose) ->
          b.matmul(b.swapLastTwo(m.b()), b.swapLastTwo(m.a()));
      case Movement.Transpose t when t.x() instanceof Movement.Broadcast br && br.x().shape().rank() == 0 ->
          b.broadcast(br.x(), t.shape());
      case Movement.Transpose t when keepsOrder(t.x().shape(), t.perm(), List.of()) -> b.reshape(t.x(), t.shape());
      // reduce(transpose(x)) = reduce(x) when the transpose only moved reduced or size-1 axes
      case Reduction.Reduce r when r.x() instanceof Movement.Transpose t && keepsOrder(t.x().shape(), t.perm(), r.axes().list()) -> {
        List<Integer> axes = new ArrayList<>();
        for (int a : r.axes().list()) axes.add(t.perm().get(a));
        yield b.reshape(b.reduce(r.op(), t.x(), new Axes(axes), false), r.shape());
      }
      default -> null;
    };
  }

  /**
   * For {@code n = broadcast(v)}: v, when v has size 1 (or no axis) at the axis {@code fromEnd}
   * places from the end of n, so that every slice of n along that axis is the same; else null.
   */
  private static Node constantAlong(Node n, int fromEnd) {
    if (!(n instanceof Movement.Broadcast br)) return null;
    int axis = br.x().shape().rank() - fromEnd;
    return axis < 0 || br.x().shape().get(axis).isOne() ? br.x() : null;
  }

  private static boolean swapsLastTwo(List<Integer> perm) {
    int r = perm.size();
    for (int i = 0; i < r - 2; i++) if (perm.get(i) != i) return false;
    return perm.get(r - 2) == r - 1 && perm.get(r - 1) == r - 2;
  }

  /**
   * Whether output positions of {@code perm}, leaving out the positions in {@code dropped}, read
   * the axes of x that are not of size 1 in increasing order (so the data order is unchanged).
   */
  private static boolean keepsOrder(Shape x, List<Integer> perm, List<Integer> dropped) {
    int last = -1;
    for (int i = 0; i < perm.size(); i++) {
      int axis = perm.get(i);
      if (dropped.contains(i) || x.get(axis).isOne()) continue;
      if (axis < last) return false;
      last = axis;
    }
    return true;
  }
}
